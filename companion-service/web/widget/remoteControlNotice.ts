import type { ControlState } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import { onUserClick } from './userAction';

/* Remote control, the visitor's side: the agent's request (Allow / Decline), and while it is on a visible notice
 * with a way to take control back at any time. */

export interface RemoteControlActions {
  answer(granted: boolean): void;
  revoke(): void;
}

export class RemoteControlNotice {
  readonly element = el('div', { class: 'control-slot' });
  private state: ControlState = 'off';
  private agentName = 'The agent';

  constructor(private readonly actions: RemoteControlActions) {}

  /** Shows the state; returns the element to focus when the visitor must answer. */
  setState(state: ControlState, agentName?: string): { changed: boolean; focus?: HTMLElement; announce?: string } {
    if (agentName) this.agentName = agentName;
    const previous = this.state;
    this.state = state;
    if (state === previous) return { changed: false };
    if (state === 'requested') {
      const allow = el('button', { type: 'button', class: 'primary' }, 'Allow');
      const decline = el('button', { type: 'button', class: 'secondary' }, 'Decline');
      onUserClick(allow, () => this.actions.answer(true));
      onUserClick(decline, () => this.actions.answer(false));
      this.element.replaceChildren(
        el(
          'div',
          {
            class: 'notice control-request',
            role: 'alertdialog',
            'aria-labelledby': 'tandem-control-title',
            'aria-describedby': 'tandem-control-text',
          },
          el('p', { id: 'tandem-control-title', class: 'alert-title' }, `${this.agentName} asks to control this page`),
          el(
            'p',
            { id: 'tandem-control-text' },
            'They could click, type and scroll here for you. You can take control back at any time.',
          ),
          el('div', { class: 'row' }, decline, allow),
        ),
      );
      return { changed: true, focus: decline, announce: `${this.agentName} asks to control this page.` };
    }
    if (state === 'on') {
      const stop = el('button', { type: 'button', class: 'secondary' }, 'Stop remote control');
      onUserClick(stop, () => this.actions.revoke());
      this.element.replaceChildren(
        el(
          'div',
          { class: 'notice control-on', 'data-testid': 'remote-control-on' },
          el('p', { role: 'status' }, `${this.agentName} is controlling this page.`),
          el('div', { class: 'row' }, stop),
        ),
      );
      return { changed: true, focus: stop };
    }
    this.element.replaceChildren();
    return {
      changed: true,
      announce: previous === 'on' ? 'Remote control has ended. You have control of the page.' : undefined,
    };
  }
}
