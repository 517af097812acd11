import { ErrorCode } from '../../src/protocol/codes';
import type { ErrorMessage } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import type { SignalingClient } from '../shared/signalingClient';
import { submit } from '../shared/submit';
import { answerOf } from './answers';

/* Add Guest: the link to send to a guest (with Copy), and the code field with Admit. The guest reads the code shown
 * on their page; the agent types it here. Each request's refusal comes back here, as its answer. */

function admitErrorText(m: ErrorMessage): string {
  switch (m.code) {
    case ErrorCode.InvalidCode:
      return 'No guest is waiting with that code. Check the digits with the guest.';
    case ErrorCode.GuestCodeExpired:
      return 'That code has run out. Ask the guest to click More time and read you the code again.';
    case ErrorCode.RateLimited:
      return m.retryAfterSeconds
        ? `Too many wrong codes. Try again in ${m.retryAfterSeconds} seconds.`
        : 'Too many wrong codes. Wait a moment and try again.';
    case ErrorCode.InvalidInvite:
      return 'That guest used a link that no longer works. Send them the current link.';
    default:
      return m.message;
  }
}

export class GuestPanel {
  readonly element: HTMLElement;
  private readonly urlInput = el('input', {
    id: 'guest-url',
    type: 'text',
    readonly: true,
    'aria-describedby': 'guest-link-status',
  });
  private readonly copyButton = el('button', { type: 'button', disabled: true }, 'Copy');
  private readonly newLinkButton = el('button', { type: 'button', disabled: true }, 'New link');
  private readonly linkStatus = el('p', { class: 'status', id: 'guest-link-status', role: 'status' });
  private readonly codeInput = el('input', {
    id: 'guest-code',
    inputmode: 'numeric',
    autocomplete: 'off',
    maxlength: '14',
    'aria-describedby': 'guest-code-hint',
  });
  private readonly admitButton = el('button', { type: 'submit', class: 'primary' }, 'Admit');
  private readonly admitStatus = el('p', { class: 'status', role: 'status' });
  private readonly errorBox = el('p', { class: 'alert', role: 'alert', hidden: true });
  private requesting = false;
  private hasLink = false;
  private admitting = false;
  /** Said along with the next link (why there is a new one). */
  private pendingNote: string | undefined;

  constructor(private readonly client: SignalingClient) {
    const form = el(
      'form',
      { class: 'admit', novalidate: true },
      el('label', { for: 'guest-code' }, 'Code from the guest'),
      el('p', { class: 'hint', id: 'guest-code-hint' }, 'The guest sees it after typing their name on the guest page.'),
      el('div', { class: 'row' }, this.codeInput, this.admitButton),
    );
    this.element = el(
      'section',
      { 'aria-labelledby': 'guests-title' },
      el('h2', { id: 'guests-title' }, 'Add a guest'),
      el('p', {}, 'Send this link to the person you want to add. They type their name and get a code to read to you.'),
      el('label', { for: 'guest-url' }, 'Guest link'),
      el('div', { class: 'row' }, this.urlInput, this.copyButton, this.newLinkButton),
      this.linkStatus,
      form,
      this.admitStatus,
      this.errorBox,
    );
    this.copyButton.addEventListener('click', () => void this.copy());
    this.newLinkButton.addEventListener('click', () => void this.requestLink());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.admit();
    });
  }

  /** Called each time the panel opens: the first time, get a link. */
  opened(): void {
    if (!this.hasLink) void this.requestLink();
    else this.codeInput.focus();
  }

  private onInvite(url: string, expiresAt: number): void {
    this.requesting = false;
    this.hasLink = true;
    this.urlInput.value = url;
    this.copyButton.disabled = false;
    this.newLinkButton.disabled = false;
    const until = new Date(expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    this.linkStatus.textContent = [this.pendingNote, `The link works until ${until}.`].filter(Boolean).join(' ');
    this.pendingNote = undefined;
  }

  private linkRefused(m: ErrorMessage): void {
    this.requesting = false;
    this.newLinkButton.disabled = false;
    this.linkStatus.textContent = '';
    this.showError(`The guest link could not be made. ${m.message}`);
  }

  private admitRefused(m: ErrorMessage): void {
    this.admitting = false;
    this.admitButton.disabled = false;
    this.admitStatus.textContent = '';
    this.codeInput.setAttribute('aria-invalid', 'true');
    this.showError(admitErrorText(m));
    this.codeInput.focus();
  }

  /** A guest came in (after Admit). */
  guestJoined(name: string): void {
    if (!this.admitting) return;
    this.admitting = false;
    this.admitButton.disabled = false;
    this.codeInput.value = '';
    this.codeInput.removeAttribute('aria-invalid');
    this.showError(undefined);
    this.admitStatus.textContent = `${name} has joined the session.`;
  }

  /** Ejecting a guest revokes the link they came with: make a fresh one for the next guest. */
  linkRevoked(): void {
    if (!this.hasLink) return;
    this.hasLink = false;
    this.urlInput.value = '';
    this.copyButton.disabled = true;
    void this.requestLink('The previous link stopped working when you removed a guest. Here is a new one.');
  }

  disable(): void {
    for (const control of [this.copyButton, this.newLinkButton, this.admitButton, this.codeInput])
      control.disabled = true;
  }

  private async requestLink(note?: string): Promise<void> {
    if (this.requesting) return;
    this.requesting = true;
    this.newLinkButton.disabled = true;
    this.showError(undefined);
    this.linkStatus.textContent = note ?? 'Making a guest link…';
    this.pendingNote = note;
    const answer = await answerOf(this.client.request({ type: 'guest.invite.create' }));
    if (answer.type === 'error') this.linkRefused(answer);
    else this.onInvite(answer.url, answer.expiresAt);
  }

  private async copy(): Promise<void> {
    const url = this.urlInput.value;
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      this.linkStatus.textContent = 'Link copied. Paste it into your message to the guest.';
    } catch {
      // No clipboard access (permissions, insecure page): select the text so Ctrl+C / Cmd+C copies it.
      this.urlInput.focus();
      this.urlInput.select();
      this.linkStatus.textContent = 'The link is selected: press Ctrl+C (Cmd+C on a Mac) to copy it.';
    }
  }

  private async admit(): Promise<void> {
    const code = this.codeInput.value.replace(/[\s-]+/g, '');
    if (!/^[0-9]{4,12}$/.test(code)) {
      this.codeInput.setAttribute('aria-invalid', 'true');
      this.showError('Type the digits the guest reads to you.');
      this.codeInput.focus();
      return;
    }
    this.codeInput.removeAttribute('aria-invalid');
    this.showError(undefined);
    this.admitting = true;
    this.admitButton.disabled = true;
    this.admitStatus.textContent = 'Letting the guest in…';
    // Taken, the guest's arrival (guestJoined) says the rest.
    const refusal = await answerOf(submit(this.client, { type: 'guest.admit', code }));
    if (refusal) this.admitRefused(refusal);
  }

  private showError(text: string | undefined): void {
    this.errorBox.textContent = text ?? '';
    this.errorBox.hidden = !text;
  }
}
