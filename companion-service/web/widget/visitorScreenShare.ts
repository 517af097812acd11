import type { ShareState } from '../../src/protocol/messages';
import { el } from '../shared/dom';
import type { PeerMesh } from '../shared/peerMesh';
import { captureScreen, endCapture } from '../shared/screenCapture';
import { SharedScreenView } from '../shared/sharedScreen';
import type { SignalingClient } from '../shared/signalingClient';
import { submit } from '../shared/submit';
import { ScreenShareNotice } from './screenShareNotice';

/* Screen share in the widget: the agent's screen, shown large while they share it; the agent's request to see ours,
 * answered by picking what to share (or declining); our screen goes to the agents only, once the server has taken
 * the answer; Stop sharing, the browser's own Stop sharing, or the agent stops it. */

export interface ScreenShareUi {
  focus(target: HTMLElement): void;
  say(text: string): void;
}

export class VisitorScreenShare {
  readonly element = el('div', { class: 'screen-share' });
  readonly screen = new SharedScreenView(() => this.selfId, 'h3');
  private readonly notice = new ScreenShareNotice({
    share: () => void this.accept(),
    decline: () => void this.decline(),
    stop: () => void this.stopOwn(),
  });
  private share: ShareState = { state: 'off' };
  private selfId: string | undefined;
  private mesh: PeerMesh | undefined;
  private own: MediaStream | undefined;
  /** Our answer is on its way: its share.state comes before the answer is confirmed. */
  private answering = false;

  constructor(
    private readonly client: SignalingClient,
    private readonly ui: ScreenShareUi,
  ) {
    this.element.append(this.notice.element, this.screen.element);
    this.screen.follow(client);
    client.on('session.created', (m) => (this.selfId = m.self.id));
    client.on('session.joined', (m) => {
      this.selfId = m.self.id;
      this.setShare(m.share ?? { state: 'off' });
    });
    client.on('share.state', (m) => this.setShare(m.share));
  }

  /** The mesh our screen goes out on. */
  attach(mesh: PeerMesh): void {
    this.mesh = mesh;
  }

  /** The call is over: our capture ends. */
  stop(): void {
    this.endOwn();
  }

  private get mine(): boolean {
    return this.share.state === 'on' && this.share.sharerId === this.selfId;
  }

  private async accept(): Promise<void> {
    if (this.answering) return;
    this.answering = true;
    const stream = await captureScreen(() => void this.stopOwn());
    if (!stream) {
      this.answering = false;
      this.ui.say('Nothing is shared.');
      return this.decline();
    }
    const refusal = await submit(this.client, { type: 'share.answer', granted: true, streamId: stream.id }).catch(
      () => undefined,
    );
    this.answering = false;
    if (refusal || !this.mine || stream.getVideoTracks()[0]?.readyState !== 'live') {
      endCapture(stream);
      if (refusal) this.ui.say(`Your screen is not shared. ${refusal.message}`);
      else if (this.mine) void this.tellStopped();
      return;
    }
    this.own = stream;
    this.mesh?.shareScreen(stream, ['agent']);
  }

  private async decline(): Promise<void> {
    await submit(this.client, { type: 'share.answer', granted: false }).catch(() => undefined);
  }

  /** Our Stop sharing, or the browser's own. */
  private async stopOwn(): Promise<void> {
    if (!this.own) return;
    this.endOwn();
    await this.tellStopped();
  }

  private async tellStopped(): Promise<void> {
    await submit(this.client, { type: 'share.stop' }).catch(() => undefined);
  }

  private endOwn(): void {
    this.mesh?.shareScreen(undefined);
    endCapture(this.own);
    this.own = undefined;
  }

  private setShare(share: ShareState): void {
    this.share = share;
    // The agent stopped our share; or this page came back (a page load) without the capture the server still has.
    if (this.own && !this.mine) this.endOwn();
    if (this.mine && !this.own && !this.answering) void this.tellStopped();
    const shown = this.notice.setState(share, this.mine);
    if (!shown.changed) return;
    if (shown.focus) this.ui.focus(shown.focus);
    if (shown.announce) this.ui.say(shown.announce);
  }
}
