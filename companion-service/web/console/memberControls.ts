import { el } from '../shared/dom';
import type { ParticipantTile } from '../shared/tiles';

/* The buttons on another member's tile in the console: Pause video for the customer and for guests, and Eject for
 * guests. Eject asks first, in place; the buttons name the member (aria-describedby) so a screen reader says whose
 * they are. The server decides: these only ask. */

export interface MemberActions {
  /** Pause or resume this member's video (the console knows which it is now). */
  togglePause(peerId: string): void;
  eject(peerId: string): void;
}

export class MemberControls {
  private readonly pause: HTMLButtonElement;

  constructor(tile: ParticipantTile, peerId: string, actions: MemberActions, options: { eject: boolean }) {
    const nameId = tile.nameText.id;
    const pause = el('button', { type: 'button', class: 'small', 'data-action': 'pause', 'aria-describedby': nameId });
    const eject = el(
      'button',
      { type: 'button', class: 'small danger', 'data-action': 'eject', 'aria-describedby': nameId },
      'Eject',
    );
    const confirmBox = el('div', { class: 'confirm', hidden: true });
    pause.addEventListener('click', () => {
      pause.disabled = true;
      actions.togglePause(peerId);
    });
    eject.addEventListener('click', () => {
      const yes = el('button', { type: 'button', class: 'small danger', 'aria-describedby': nameId }, 'Yes, eject');
      const no = el('button', { type: 'button', class: 'small', 'aria-describedby': nameId }, 'Cancel');
      confirmBox.replaceChildren(
        el(
          'p',
          {},
          `Remove ${tile.displayName} from the session? They won\u2019t be able to come back with the same link.`,
        ),
        el('div', { class: 'row' }, yes, no),
      );
      confirmBox.hidden = false;
      eject.hidden = true;
      yes.addEventListener('click', () => {
        yes.disabled = true;
        no.disabled = true;
        actions.eject(peerId);
      });
      no.addEventListener('click', () => {
        confirmBox.hidden = true;
        eject.hidden = false;
        eject.focus();
      });
      no.focus();
    });
    tile.controls.append(pause, ...(options.eject ? [eject, confirmBox] : []));
    this.pause = pause;
  }

  /** Usable again, saying what it will do. */
  render(paused: boolean): void {
    this.pause.disabled = false;
    this.pause.textContent = paused ? 'Resume video' : 'Pause video';
  }
}
