import { loadRecorder, prefetchRecorder } from '../cobrowse/loadRecorder';
import type { VisitorCobrowse } from '../cobrowse/visitorCobrowse';
import { Backoff } from '../shared/backoff';
import { firstFrameShown } from '../shared/firstFrame';
import { whenIdle } from '../shared/idle';
import { canCall } from '../shared/webrtc';
import { ConnectionGate } from './callSetUp';
import type { ChangeGuard } from './earlyChangeGuard';
import type { VisitorSession } from './session';

/* Shares the page while an agent is in the call, and stops when none is. The recorder is downloaded (not run) once an
 * agent is on the way: a session started, or an invitation came; on a slow network its download took longer than the
 * snapshot it then makes (~350 ms on "slow 4G"). Running the recorder and its first snapshot are long tasks (~100 ms
 * on a large page): they wait until the call is up, so that the call's own set-up goes first. Up means the
 * connection to the agent is (offer, answer, ICE and DTLS done) and, when the agent sends video, its first frame is on
 * screen: a video's first frame needs the page's main thread, and behind the first snapshot it came ~100 ms later.
 * Each wait is bounded. */

/** Page sharing waits at most this long for the connection to the agent (it goes through the service anyway). */
const MEDIA_FIRST_MS = 1500;
/** And, once connected, at most this long for the agent's first video frame (it may never show: a hidden video area). */
const FIRST_FRAME_MS = 400;
/** After sharing could not start (the recorder did not download), the next try waits 2 s, doubling up to 30 s: else
 * the agent waited for the page for good. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MOST_MS = 30_000;

export class PageSharing {
  /** The current session's connection to the agent. */
  private agentLink = new ConnectionGate();
  private cobrowse: VisitorCobrowse | undefined;
  /** The session sharing was started (or is loading) for. */
  private startedFor: VisitorSession | undefined;
  /** The customer's choice to see the agent's pointer and drawings (kept for the page's next start of sharing). */
  private guidesShown = true;
  private readonly retry = new Backoff(RETRY_FIRST_MS, RETRY_MOST_MS);
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly serviceOrigin: string,
    /** Registered early, for remote control's commits (earlyChangeGuard.ts). */
    private readonly changeGuard: ChangeGuard | undefined,
    /** The session the widget is in now (sharing started for an older one is dropped). */
    private readonly current: () => VisitorSession | undefined,
  ) {}

  /** A new session: sharing waits for its connection to the agent. */
  newSession(): void {
    this.agentLink = new ConnectionGate();
    this.cancelRetry();
    this.agentExpected();
  }

  /** An agent is on the way (a session started, or an invitation came): the recorder is downloaded meanwhile. */
  agentExpected(): void {
    whenIdle(() => prefetchRecorder(this.serviceOrigin));
  }

  /** The connection to this session's agent is up; `videoComing` when the agent sends video (then sharing waits for
   * its first frame, agentVideoIn, for a while). */
  agentConnected(videoComing: boolean): void {
    const gate = this.agentLink;
    if (!videoComing) return gate.open();
    setTimeout(() => gate.open(), FIRST_FRAME_MS);
  }

  /** The agent said their browser can't make calls (after the call to them had begun): no connection will come up,
   * and sharing waits for none. A console says so right after it joins, so this is the usual case for such an agent. */
  agentCantCall(): void {
    this.agentLink.open();
  }

  /** The agent's video plays in this element: its first frame on screen opens this session's gate. */
  agentVideoIn(video: HTMLVideoElement): void {
    const gate = this.agentLink;
    void firstFrameShown(video).then(() => gate.open());
  }

  /** Starts or stops sharing as the session has an agent or not. */
  update(session: VisitorSession): void {
    const wanted = session.agents().length > 0;
    if (wanted && this.startedFor !== session) {
      this.startedFor = session;
      // No call to the agent (this browser or theirs can't make one): no call set-up to go first.
      if (!canCall() || session.agents().every((a) => a.media.webrtc === false)) this.agentLink.open();
      void this.agentLink
        .wait(MEDIA_FIRST_MS)
        .then(() => loadRecorder(this.serviceOrigin))
        .then((entry) => {
          if (this.current() !== session || this.startedFor !== session || this.cobrowse) return;
          this.retry.reset();
          const { maskSelectors, control } = session.state;
          this.cobrowse = entry.startVisitorCobrowse(
            session.client,
            maskSelectors,
            control.state === 'on',
            this.changeGuard,
            this.guidesShown,
          );
        })
        .catch((err: unknown) => {
          if (this.startedFor !== session) return;
          this.startedFor = undefined;
          console.warn('Tandem: page sharing could not start; trying again.', err);
          this.retryLater(session);
        });
    } else if (!wanted && this.startedFor === session) {
      this.stop();
    }
  }

  private retryLater(session: VisitorSession): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current() === session) this.update(session);
    }, this.retry.next());
  }

  private cancelRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retry.reset();
  }

  setGuidesShown(shown: boolean): void {
    this.guidesShown = shown;
    this.cobrowse?.setGuidesShown(shown);
  }

  clearDrawings(): void {
    this.cobrowse?.clearDrawings();
  }

  stop(): void {
    this.cancelRetry();
    this.cobrowse?.stop();
    this.cobrowse = undefined;
    this.startedFor = undefined;
  }
}
