import type { ErrorMessage, VisitorDevice } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import type { SignalingClient } from '../shared/signalingClient';
import { answerOf } from './answers';
import { formatKbps, formatMs, formatPercent, formatResolution, type PeerDiagnostics } from './diagnostics';

/* Customer Info: the session code, the customer's operating system and browser (as the server read them from the
 * customer's connection), live connection diagnostics per participant, and Report a problem. */

export interface DiagnosticsRow {
  name: string;
  role: string;
  stats: PeerDiagnostics;
}

export class InfoPanel {
  readonly element: HTMLElement;
  private readonly code = el('dd', { 'data-testid': 'info-code' }, '—');
  private readonly os = el('dd', { 'data-testid': 'info-os' }, '—');
  private readonly browser = el('dd', { 'data-testid': 'info-browser' }, '—');
  private readonly version = el('dd', { 'data-testid': 'info-browser-version' }, '—');
  private readonly body = el('tbody');
  private readonly emptyNote = el('p', { class: 'hint' }, 'Measurements appear once video is connected.');
  private readonly description = el('textarea', {
    id: 'problem-description',
    rows: '3',
    maxlength: '2000',
    'aria-describedby': 'problem-hint',
  });
  private readonly sendButton = el('button', { type: 'submit', class: 'primary' }, 'Send report');
  private readonly reportStatus = el('p', { class: 'status', role: 'status' });
  private readonly reportError = el('p', { class: 'alert', role: 'alert', hidden: true });
  private sending = false;

  constructor(
    private readonly client: SignalingClient,
    /** What to attach to a report: the latest diagnostics, flattened. */
    private readonly snapshot: () => Record<string, number | string | null>,
  ) {
    const table = el(
      'table',
      { class: 'diagnostics' },
      el('caption', {}, 'Connection quality (updated every 2 seconds)'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Participant', 'Round trip', 'Video in', 'Video out', 'Packet loss', 'Resolution in'].map((h) =>
            el('th', { scope: 'col' }, h),
          ),
        ),
      ),
      this.body,
    );
    const form = el(
      'form',
      { class: 'report', novalidate: true },
      el('h3', {}, 'Report a problem'),
      el('label', { for: 'problem-description' }, 'What went wrong?'),
      el(
        'p',
        { class: 'hint', id: 'problem-hint' },
        'The connection measurements above are sent with your description.',
      ),
      this.description,
      el('div', { class: 'row' }, this.sendButton),
    );
    this.element = el(
      'section',
      { 'aria-labelledby': 'info-title' },
      el('h2', { id: 'info-title' }, 'Customer info'),
      el(
        'dl',
        { class: 'facts' },
        el('dt', {}, 'Session code'),
        this.code,
        el('dt', {}, 'Operating system'),
        this.os,
        el('dt', {}, 'Browser'),
        this.browser,
        el('dt', {}, 'Browser version'),
        this.version,
      ),
      table,
      this.emptyNote,
      form,
      this.reportStatus,
      this.reportError,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
  }

  setCode(code: string): void {
    this.code.textContent = code;
  }

  setVisitor(device: VisitorDevice | null): void {
    const waiting = 'Not known yet';
    this.os.textContent = device?.os || waiting;
    this.browser.textContent = device?.browser || waiting;
    this.version.textContent = device ? device.browserVersion || 'Unknown' : waiting;
  }

  setDiagnostics(rows: DiagnosticsRow[]): void {
    this.emptyNote.hidden = rows.length > 0;
    this.body.replaceChildren(
      ...rows.map((r) =>
        el(
          'tr',
          { 'data-peer': r.stats.peerId },
          el('th', { scope: 'row' }, r.role === 'customer' && r.name === 'Customer' ? r.name : `${r.name} (${r.role})`),
          el('td', { 'data-metric': 'rtt' }, formatMs(r.stats.rttMs)),
          el('td', { 'data-metric': 'in' }, formatKbps(r.stats.inboundKbps)),
          el('td', { 'data-metric': 'out' }, formatKbps(r.stats.outboundKbps)),
          el('td', { 'data-metric': 'loss' }, formatPercent(r.stats.packetLossPercent)),
          el('td', { 'data-metric': 'resolution' }, formatResolution(r.stats.width, r.stats.height)),
        ),
      ),
    );
  }

  private reported(referenceId: string): void {
    this.sending = false;
    this.sendButton.disabled = false;
    this.description.value = '';
    this.reportStatus.replaceChildren(
      'Thank you. Your report was sent. Reference: ',
      el('strong', { 'data-testid': 'problem-reference' }, referenceId),
    );
  }

  private refused(m: ErrorMessage): void {
    this.sending = false;
    this.sendButton.disabled = false;
    this.reportStatus.textContent = '';
    this.showError(`The report was not sent. ${m.message}`);
  }

  disable(): void {
    this.sendButton.disabled = true;
    this.description.disabled = true;
  }

  private async send(): Promise<void> {
    if (this.sending) return;
    const description = this.description.value.trim();
    if (!description) {
      this.description.setAttribute('aria-invalid', 'true');
      this.showError('Describe the problem first.');
      this.description.focus();
      return;
    }
    this.description.removeAttribute('aria-invalid');
    this.showError(undefined);
    this.sending = true;
    this.sendButton.disabled = true;
    this.reportStatus.textContent = 'Sending…';
    const answer = await answerOf(
      this.client.request({
        type: 'problem.report',
        description: description.slice(0, 2000),
        diagnostics: this.snapshot(),
      }),
    );
    if (answer.type === 'error') this.refused(answer);
    else this.reported(answer.referenceId);
  }

  private showError(text: string | undefined): void {
    this.reportError.textContent = text ?? '';
    this.reportError.hidden = !text;
  }
}
