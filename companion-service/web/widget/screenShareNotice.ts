import type { ShareState } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import { onUserClick } from './userAction';

/* Screen share, the visitor's side of the consent: the agent's request (Share screen / Decline), and while the
 * visitor shares, a visible notice with a way to stop at any time. */

export interface ScreenShareActions {
  share(): void;
  decline(): void;
  stop(): void;
}

type Shown = 'none' | 'requested' | 'sharing';

export class ScreenShareNotice {
  readonly element = el('div', { class: 'share-slot' });
  private shown: Shown = 'none';

  constructor(private readonly actions: ScreenShareActions) {}

  /** Shows the share as it concerns us; returns the element to focus when the visitor must answer. */
  setState(share: ShareState, mine: boolean): { changed: boolean; focus?: HTMLElement; announce?: string } {
    const next: Shown = share.state === 'requested' ? 'requested' : share.state === 'on' && mine ? 'sharing' : 'none';
    const previous = this.shown;
    this.shown = next;
    if (next === previous) return { changed: false };
    const agent = share.name ?? 'The agent';
    if (next === 'requested') {
      const accept = el('button', { type: 'button', class: 'primary' }, 'Share screen');
      const decline = el('button', { type: 'button', class: 'secondary' }, 'Decline');
      onUserClick(accept, () => this.actions.share());
      onUserClick(decline, () => this.actions.decline());
      this.element.replaceChildren(
        el(
          'div',
          {
            class: 'notice control-request share-request',
            role: 'alertdialog',
            'aria-labelledby': 'tandem-share-title',
            'aria-describedby': 'tandem-share-text',
            'data-testid': 'share-request',
          },
          el('p', { id: 'tandem-share-title', class: 'alert-title' }, `${agent} asks to see your screen`),
          el(
            'p',
            { id: 'tandem-share-text' },
            'You pick what to share: one tab, one window or your whole screen. Only the agent sees it, and you can stop at any time.',
          ),
          el('div', { class: 'row' }, decline, accept),
        ),
      );
      return { changed: true, focus: decline, announce: `${agent} asks to see your screen.` };
    }
    if (next === 'sharing') {
      const stop = el('button', { type: 'button', class: 'secondary' }, 'Stop sharing');
      onUserClick(stop, () => this.actions.stop());
      this.element.replaceChildren(
        el(
          'div',
          { class: 'notice control-on', 'data-testid': 'screen-share-on' },
          el('p', { role: 'status' }, 'You are sharing your screen with the agent.'),
          el('div', { class: 'row' }, stop),
        ),
      );
      return { changed: true, focus: stop };
    }
    this.element.replaceChildren();
    return {
      changed: true,
      announce: previous === 'sharing' ? 'Screen sharing has ended.' : undefined,
    };
  }
}
