import { el } from '../shared/dom';
import { participantsWithRole, type ParticipantState, type SessionState } from '../shared/sessionState';
import { ParticipantTile } from '../shared/tiles';
import { MemberControls, type MemberActions } from './memberControls';

/* The console's layout of the others in the session: the customer in the main tile, other agents under You, guests
 * in the Guests list; the customer's tile has Pause video, guests' Pause video and Eject. It shows what the session state says; it keeps only the
 * tiles (DOM and media elements), never a list of its own about who is here. */

const $ = (id: string) => document.getElementById(id) as HTMLElement;

interface Shown {
  tile: ParticipantTile;
  controls?: MemberControls;
}

export class ParticipantsView {
  private readonly shown = new Map<string, Shown>();

  constructor(private readonly memberActions: MemberActions) {}

  /** Creates the participant's tile the first time, in its place by role, and brings it up to date. */
  show(p: ParticipantState): void {
    let entry = this.shown.get(p.id);
    if (!entry) {
      const tile = new ParticipantTile(p.id, p.role, p.name, {
        tag: p.role === 'guest' ? 'li' : 'div',
        texts: { paused: 'Video paused' },
      });
      entry = { tile };
      this.shown.set(p.id, entry);
      if (p.role === 'visitor') {
        entry.controls = new MemberControls(tile, p.id, this.memberActions, { eject: false });
        $('remote').replaceChildren(tile.element);
      } else if (p.role === 'guest') {
        entry.controls = new MemberControls(tile, p.id, this.memberActions, { eject: true });
        $('guests').append(tile.element);
        $('guests-empty').hidden = true;
      } else {
        $('others').append(tile.element);
      }
    }
    entry.tile.setName(p.name);
    entry.tile.setMedia(p.media);
    entry.tile.setAway(p.away);
    entry.controls?.render(p.media.paused);
  }

  /** The participant left (`state` is without them): their tile goes; the customer's place says they left. */
  remove(p: ParticipantState, state: SessionState): void {
    const entry = this.shown.get(p.id);
    if (!entry) return;
    this.shown.delete(p.id);
    entry.tile.destroy();
    if (p.role === 'visitor') $('remote').replaceChildren(el('p', { class: 'placeholder' }, 'The customer has left.'));
    if (p.role === 'guest') $('guests-empty').hidden = participantsWithRole(state, 'guest').length > 0;
  }

  /** How the console names this participant (typed name, or their role). */
  nameOf(id: string): string | undefined {
    return this.shown.get(id)?.tile.displayName;
  }

  /** Attaches (or detaches) a participant's media; false when they have no tile. */
  setStream(id: string, stream: MediaStream | undefined): boolean {
    const entry = this.shown.get(id);
    entry?.tile.setStream(stream);
    return !!entry;
  }

  /** Whether the connection to this participant is taking longer than it should. */
  setSlow(id: string, slow: boolean): void {
    this.shown.get(id)?.tile.setSlow(slow);
  }

  /** A pause or eject was refused: the members' buttons are usable again, as the state says. */
  renderMemberControls(state: SessionState): void {
    for (const p of state.participants) this.shown.get(p.id)?.controls?.render(p.media.paused);
  }

  stopMedia(): void {
    for (const { tile } of this.shown.values()) tile.setStream(undefined);
  }
}
