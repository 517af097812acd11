import type { ShareState } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import type { PeerMesh } from '../shared/peerMesh';
import { captureScreen, endCapture } from '../shared/screenCapture';
import type { SignalingClient } from '../shared/signalingClient';
import { submit } from '../shared/submit';
import { answerOf } from './answers';
import type { Toolbar, ToolSwitch } from './toolbar';

/* Screen share in the console toolbar (only for agents with the privilege). Share screen: pick a tab, window or
 * screen; once the server accepts, it goes to everyone in the call; click again (or the browser's own Stop sharing)
 * to stop. Customer's screen: ask the customer to share theirs; it shows large once they agree; click again to stop
 * or withdraw. The server has the last word; this reflects `share.state`. */

const ME = 'You are sharing your screen with everyone in the call. Click Share screen again to stop.';

export class ScreenShareTool {
  /** What happened last, said politely to screen readers. */
  readonly status = el('p', { class: 'status share-status', role: 'status', 'data-testid': 'share-status' });
  private readonly shareSwitch: ToolSwitch;
  private readonly seeSwitch: ToolSwitch;
  private share: ShareState = { state: 'off' };
  /** Our own capture, while the server has it as shared. */
  private own: MediaStream | undefined;
  /** share.start is on its way: its share.state comes before its answer. */
  private starting = false;
  /** We asked to stop (or withdrew the request): an "off" that follows is ours. */
  private stopping = false;

  constructor(
    toolbar: Toolbar,
    private readonly client: SignalingClient,
    private readonly mesh: PeerMesh,
    private readonly selfId: () => string | undefined,
  ) {
    this.status.id = 'share-status-text';
    this.shareSwitch = toolbar.addSwitch('share-screen', 'Share screen', 'shareScreen', () => void this.shareClicked());
    this.seeSwitch = toolbar.addSwitch('see-screen', 'Customer\u2019s screen', 'viewScreen', () => this.seeClicked());
    for (const tool of [this.shareSwitch, this.seeSwitch])
      tool.button.setAttribute('aria-describedby', 'share-status-text');
    client.on('share.state', (m) => this.setShare(m.share, true));
  }

  /** The share as the session stands (on joining or coming back), without announcing it. */
  init(share: ShareState | undefined): void {
    this.setShare(share ?? { state: 'off' }, false);
  }

  /** The call is over: our capture ends. */
  stop(): void {
    this.endOwn();
    this.shareSwitch.button.disabled = true;
    this.seeSwitch.button.disabled = true;
  }

  private get mine(): boolean {
    return this.share.state === 'on' && this.share.sharerId === this.selfId();
  }

  private async shareClicked(): Promise<void> {
    if (this.own) return this.stopOwn();
    this.shareSwitch.setBusy(true);
    const stream = await captureScreen(() => void this.stopOwn());
    if (!stream) {
      this.shareSwitch.setBusy(false);
      this.status.textContent = 'Nothing is shared: no screen was picked.';
      return;
    }
    this.starting = true;
    const refusal = await answerOf(submit(this.client, { type: 'share.start', streamId: stream.id }));
    this.starting = false;
    this.shareSwitch.setBusy(false);
    if (refusal || stream.getVideoTracks()[0]?.readyState !== 'live') {
      endCapture(stream);
      if (refusal) this.status.textContent = `Your screen is not shared. ${refusal.message}`;
      else void submit(this.client, { type: 'share.stop' }).catch(() => undefined);
      return;
    }
    this.own = stream;
    this.mesh.shareScreen(stream, ['visitor', 'guest', 'agent']);
    this.status.textContent = ME;
    this.render();
  }

  /** Stop sharing: our button, or the browser's own Stop sharing. */
  private async stopOwn(): Promise<void> {
    if (!this.own) return;
    this.endOwn();
    this.stopping = true;
    this.status.textContent = 'You stopped sharing your screen.';
    this.render();
    await answerOf(submit(this.client, { type: 'share.stop' }));
  }

  private endOwn(): void {
    this.mesh.shareScreen(undefined);
    endCapture(this.own);
    this.own = undefined;
  }

  private seeClicked(): void {
    const customers = this.share.state !== 'off' && !this.mine;
    if (customers) {
      this.stopping = true;
      void this.ask({ type: 'share.stop' });
    } else {
      this.seeSwitch.setBusy(true);
      void this.ask({ type: 'share.request' }, 'You can\u2019t see the customer\u2019s screen. ');
    }
  }

  private async ask(message: { type: 'share.stop' } | { type: 'share.request' }, lead = ''): Promise<void> {
    const refusal = await answerOf(submit(this.client, message));
    this.seeSwitch.setBusy(false);
    if (!refusal) return;
    this.stopping = false;
    this.status.textContent = `${lead}${refusal.message}`;
  }

  private setShare(share: ShareState, announce: boolean): void {
    const previous = this.share;
    this.share = share;
    this.seeSwitch.setBusy(false);
    // The server no longer has our share (or a reloaded console finds it without the capture): stop it both ends.
    if (this.own && !this.mine) this.endOwn();
    if (this.mine && !this.own && !this.starting)
      void submit(this.client, { type: 'share.stop' }).catch(() => undefined);
    if (announce) this.announce(previous, share);
    if (share.state === 'off') this.stopping = false;
    this.render();
  }

  private announce(previous: ShareState, share: ShareState): void {
    const wasCustomers =
      previous.state === 'requested' || (previous.state === 'on' && previous.sharerId !== this.selfId());
    if (share.state === 'requested')
      this.status.textContent = 'Waiting for the customer to pick a screen to share\u2026';
    else if (share.state === 'on' && !this.mine)
      this.status.textContent = `You see ${share.name ?? 'the customer'}\u2019s screen. Click Customer\u2019s screen again to stop.`;
    else if (share.state === 'off' && wasCustomers) {
      if (previous.state === 'requested')
        this.status.textContent = this.stopping
          ? 'You withdrew the request.'
          : 'The customer declined to share their screen.';
      else
        this.status.textContent = this.stopping
          ? 'You stopped viewing the customer\u2019s screen.'
          : 'The customer stopped sharing their screen.';
    }
  }

  private render(): void {
    this.shareSwitch.setOn(!!this.own);
    this.seeSwitch.setOn(this.share.state === 'requested' || (this.share.state === 'on' && !this.mine));
  }
}
