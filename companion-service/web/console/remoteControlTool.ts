import type { ControlState, NavigateAction } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import type { SignalingClient } from '../shared/signalingClient';
import { submit, type UnansweredMessage } from '../shared/submit';
import { answerOf } from './answers';
import { icon, type IconName } from '../shared/icons';
import type { Toolbar, ToolSwitch } from './toolbar';

/* Remote Control in the console toolbar (only for agents with the privilege): ask the customer, show where the
 * request stands, a green dot while it is on, click again to stop; Back / Forward / Refresh for the customer's page
 * only while it is on. The server has the last word on every step; this only reflects `control.state`. */

export class RemoteControlTool {
  /** What happened last, said politely to screen readers. */
  readonly status = el('p', { class: 'status control-status', role: 'status', 'data-testid': 'control-status' });
  private readonly tool: ToolSwitch;
  private readonly navigation: HTMLElement;
  private state: ControlState = 'off';
  /** We asked to stop (or withdrew the request): an "off" that follows is ours, not the customer's. */
  private stopping = false;

  constructor(
    toolbar: Toolbar,
    private readonly client: SignalingClient,
  ) {
    this.tool = toolbar.addSwitch('remote-control', 'Remote Control', 'pointer', () => this.clicked());
    this.tool.button.setAttribute('aria-describedby', 'control-status-text');
    this.status.id = 'control-status-text';
    const navButton = (action: NavigateAction, label: string, iconName: IconName) => {
      const button = el(
        'button',
        { type: 'button', class: 'tool', 'data-action': action },
        el('span', { class: 'tool-icon' }, icon(iconName)),
        label,
      );
      button.addEventListener('click', () => void this.ask({ type: 'control.navigate', action }));
      return button;
    };
    this.navigation = el(
      'div',
      { class: 'nav-tools', role: 'group', 'aria-label': 'Customer\u2019s page navigation', hidden: true },
      navButton('back', 'Back', 'previous'),
      navButton('forward', 'Forward', 'next'),
      navButton('refresh', 'Refresh', 'refresh'),
    );
    toolbar.element.append(this.navigation);
    client.on('control.state', (m) => this.setState(m.state));
  }

  /** The state as the session stands (on joining or coming back), without announcing a change. */
  init(state: ControlState): void {
    this.state = state;
    this.render();
  }

  disable(): void {
    this.tool.button.disabled = true;
    this.navigation.hidden = true;
  }

  private clicked(): void {
    if (this.state === 'off') {
      this.tool.setBusy(true);
      void this.ask({ type: 'control.request' }, 'Remote control is not available. ');
      return;
    }
    // On: stop. Requested: withdraw the request.
    this.stopping = true;
    void this.ask({ type: 'control.release' });
  }

  /** Sends; a refusal is said in the status line (after `lead`), and the tool is usable again. */
  private async ask(message: UnansweredMessage, lead = ''): Promise<void> {
    const refusal = await answerOf(submit(this.client, message));
    if (!refusal) return;
    this.stopping = false;
    this.tool.setBusy(false);
    this.status.textContent = `${lead}${refusal.message}`;
  }

  private setState(state: ControlState): void {
    const previous = this.state;
    this.state = state;
    this.tool.setBusy(false);
    if (state === previous) return;
    if (state === 'requested') this.status.textContent = 'Waiting for the customer to allow remote control\u2026';
    else if (state === 'on')
      this.status.textContent = 'You are controlling the customer\u2019s page. Click Remote Control again to stop.';
    else if (previous === 'requested')
      this.status.textContent = this.stopping ? 'You withdrew the request.' : 'The customer declined remote control.';
    else
      this.status.textContent = this.stopping
        ? 'Remote control stopped.'
        : 'The customer took back control of their page.';
    if (state === 'off') this.stopping = false;
    this.render();
  }

  private render(): void {
    const on = this.state === 'on';
    this.tool.setOn(on);
    this.navigation.hidden = !on;
  }
}
