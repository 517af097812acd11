import { ErrorCode } from '../../src/protocol/codes';
import type { ErrorMessage } from '../../src/protocol/messages';
import type { SessionState } from '../shared/sessionState';

/* The guest's code screen: the code to read to the agent (grouped for reading, spelled out for screen readers), its
 * countdown, More time while extensions are left, and what went wrong asking for more. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function spaced(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class CodeScreen {
  private expiresAt = 0;
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor(moreTime: () => void) {
    $('more-time').addEventListener('click', () => {
      $<HTMLButtonElement>('more-time').disabled = true;
      moreTime();
    });
  }

  /** The code as the state has it; `first` when the screen was not showing yet. */
  render(admission: NonNullable<SessionState['admission']>, first: boolean): void {
    const { code, expiresAt, extensionsLeft } = admission;
    // Trust the server's period, not the two clocks agreeing.
    this.expiresAt = Date.now() + Math.max(0, expiresAt - Date.now());
    $('guest-code').textContent = spaced(code);
    $('guest-code').setAttribute('aria-label', `Your code: ${code.split('').join(' ')}`);
    $<HTMLButtonElement>('more-time').disabled = extensionsLeft <= 0;
    $('extensions-left').textContent =
      extensionsLeft > 0
        ? `You can ask for more time ${extensionsLeft} more ${extensionsLeft === 1 ? 'time' : 'times'}.`
        : 'No more extensions are available. If the code runs out, ask the agent for a new link.';
    this.setAlert(undefined);
    this.tick();
    clearInterval(this.countdown);
    this.countdown = setInterval(() => this.tick(), 1000);
    $('code-status').textContent = first
      ? 'Waiting for the agent to let you in…'
      : 'You have more time. Waiting for the agent to let you in…';
  }

  onError(m: ErrorMessage): void {
    if (m.inReplyTo === 'guest.extend')
      $<HTMLButtonElement>('more-time').disabled = m.code === ErrorCode.NoExtensionsLeft;
    this.setAlert(
      m.code === ErrorCode.NoExtensionsLeft
        ? 'No more time can be added. If the code runs out, ask the agent for a new link.'
        : m.message,
    );
  }

  stop(): void {
    clearInterval(this.countdown);
  }

  private tick(): void {
    const left = this.expiresAt - Date.now();
    const expired = left <= 0;
    $('code-box').classList.toggle('expired', expired);
    $('countdown').textContent = expired
      ? 'This code has run out. Click More time to keep it.'
      : `Expires in ${clock(left)}`;
    if (expired) clearInterval(this.countdown);
  }

  private setAlert(text: string | undefined): void {
    $('code-alert').textContent = text ?? '';
    $('code-alert').hidden = !text;
  }
}
