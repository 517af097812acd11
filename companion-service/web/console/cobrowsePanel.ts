import { SNAPSHOT_REQUEST_INTERVAL_MS } from '../../src/protocol/cobrowseLimits';
import { ErrorCode } from '../../src/protocol/codes';
import type { ControlState, ServerMessageOf } from '../../src/protocol/messages';
import { loadReplayer } from '../cobrowse/loadReplayer';
import type { ReplayerClass } from '../cobrowse/replayerLink';
import { CobrowseViewer, type ViewerMode } from '../cobrowse/viewer';
import { Backoff } from '../shared/backoff';
import { el } from '../shared/dom';
import type { SignalingClient } from '../shared/signalingClient';
import { refusalsOf, submit } from '../shared/submit';
import { answerOf } from './answers';
import { GuideTools } from './guideTools';

/* The live view of the customer's page in the console: the rrweb replay scaled to fit (with the customer's scroll
 * position and pointer), a loading state until the first snapshot is drawn, and which mode the view is in. Remote
 * control (granted by the customer) wins over accessibility mode (the agent's setting) while it is on. */

const MODE_TEXT: Record<ViewerMode, string> = {
  view: 'View only: you see the customer\u2019s page as they scroll and point.',
  'read-aloud': 'Accessibility mode: click an element and the customer\u2019s screen reader reads it aloud.',
  control: 'You are in control: your clicks, typing and choices here act on the customer\u2019s page.',
};
const CONTROL_OVER_READ_ALOUD = ' Accessibility mode is paused while you control the page.';
const WAITING_FOR_PAGE = 'Waiting for the customer\u2019s page\u2026';
const REPLAY_NOT_LOADED = 'The live view could not be loaded. Trying again\u2026';

/** While the customer is in and their page has not been shown yet, the console asks for it again this often: a first
 * snapshot lost on the way (or a page whose sharing started late) must not leave the agent waiting for good. */
const PAGE_ASK_AGAIN_MS = 5_000;
/** After a failed load of the replay chunk, the next try waits this long, doubling up to the most. */
const REPLAY_RETRY_FIRST_MS = 2_000;
const REPLAY_RETRY_MOST_MS = 30_000;

export class CobrowsePanel {
  readonly element: HTMLElement;
  private readonly loading = el(
    'p',
    { class: 'live-view-loading', 'data-testid': 'live-view-loading' },
    WAITING_FOR_PAGE,
  );
  private readonly modeLine = el('p', {
    class: 'hint live-view-mode',
    id: 'live-view-mode',
    'data-testid': 'live-view-mode',
  });
  private readonly status = el('p', {
    class: 'status live-view-status',
    role: 'status',
    'data-testid': 'live-view-status',
  });
  private readonly box = el('div', {
    class: 'live-view',
    'data-testid': 'live-view',
    'aria-describedby': 'live-view-mode',
  });
  private viewer: CobrowseViewer | undefined;
  /** rrweb's Replayer, a chunk of its own (loadReplayer.ts): the view starts once it has loaded. */
  private replayerClass: ReplayerClass | undefined;
  private loadingReplayer = false;
  /** What the customer's page sent while the chunk was loading, in order, for the view to start from. */
  private pending: Array<ServerMessageOf<'cobrowse.events'>> = [];
  /** Set while a failed load waits to be tried again: the page's stream is dropped meanwhile (a new snapshot is asked
   * for once the chunk is in). */
  private replayRetry: ReturnType<typeof setTimeout> | undefined;
  /** When the console last asked for a snapshot, and its next asking, while one waits (requestSnapshotSoon). */
  private snapshotAskedAt = 0;
  private snapshotAskTimer: ReturnType<typeof setTimeout> | undefined;
  /** Asks again while no page has been shown (PAGE_ASK_AGAIN_MS). */
  private pageWaitTimer: ReturnType<typeof setInterval> | undefined;
  private readonly replayRetryWait = new Backoff(REPLAY_RETRY_FIRST_MS, REPLAY_RETRY_MOST_MS);
  private maskSelectors: readonly string[] = [];
  private control = false;
  private readAloud = false;
  private readonly offs: Array<() => void>;
  /** Remote control's input, many messages a second: a refusal of any is said in the status line. */
  private readonly input: ReturnType<typeof refusalsOf>;
  /** The agent's pointer and drawings, also many a second: a refusal is said in the status line, in their terms. */
  private readonly guiding: ReturnType<typeof refusalsOf>;
  /** Point, draw, arrow and clear, for guiding the customer on their page. */
  private readonly guideTools = new GuideTools(
    (tool) => this.viewer?.guide.setTool(tool),
    () => this.clearDrawings(),
  );

  constructor(
    private readonly client: SignalingClient,
    /** Whether the customer is in the session and connected (their page can be asked for). */
    private readonly customerHere: () => boolean,
  ) {
    this.element = el(
      'section',
      { class: 'card live-view-card', 'aria-labelledby': 'live-view-title' },
      el('h2', { id: 'live-view-title', class: 'side-title' }, 'Customer\u2019s page'),
      this.modeLine,
      this.status,
      this.guideTools.element,
      this.loading,
      this.box,
    );
    this.box.hidden = true;
    this.input = refusalsOf(client, (m) => (this.status.textContent = m.message));
    this.guiding = refusalsOf(
      client,
      (m) =>
        (this.status.textContent =
          m.code === ErrorCode.UnknownPeer
            ? 'The customer\u2019s page is not shared right now: they can\u2019t see your pointer or drawings.'
            : `Your pointer or drawing did not reach the customer. ${m.message}`),
    );
    this.offs = [
      client.on('cobrowse.events', (m) => this.received(m)),
      client.on('control.state', (m) => this.setControl(m.state)),
      this.input.stop,
      this.guiding.stop,
    ];
    this.applyMode();
  }

  /** The console joined (or came back): ask the customer's page for a full snapshot so the view starts at once. */
  joined(maskSelectors: readonly string[], control: ControlState): void {
    this.maskSelectors = maskSelectors;
    this.viewer?.setMaskSelectors(maskSelectors);
    this.setControl(control);
    this.requestSnapshot();
    this.askUntilShown();
    // Loaded while the customer's page prepares its snapshot, so that the view is ready for it.
    this.prepareReplay();
  }

  setReadAloud(on: boolean): void {
    this.readAloud = on;
    this.applyMode();
  }

  /** The customer left: the view is stale, start again from their next snapshot. */
  reset(text: string): void {
    this.viewer?.destroy();
    this.viewer = undefined;
    this.pending = [];
    this.box.replaceChildren();
    this.box.removeAttribute('style');
    this.box.hidden = true;
    this.loading.textContent = text;
    this.loading.hidden = false;
    this.control = false;
    this.applyMode();
    this.askUntilShown();
  }

  stop(): void {
    for (const off of this.offs) off();
    clearTimeout(this.replayRetry);
    clearTimeout(this.snapshotAskTimer);
    clearInterval(this.pageWaitTimer);
    this.viewer?.setMode('view');
  }

  private requestSnapshot(): void {
    this.snapshotAskedAt = Date.now();
    // Refused only while the customer is not in yet: their page arrives when they join.
    void submit(this.client, { type: 'cobrowse.snapshot.request' }).catch(() => undefined);
  }

  /** Until the view has shown a page, asks for one again now and then while the customer is here. Not after a
   * reconnect with the page already shown: that asked once, in joined(). */
  private askUntilShown(): void {
    clearInterval(this.pageWaitTimer);
    this.pageWaitTimer = undefined;
    const shown = () => this.loading.hidden;
    if (shown()) return;
    this.pageWaitTimer = setInterval(() => {
      if (!shown()) return this.customerHere() ? this.requestSnapshotSoon() : undefined;
      clearInterval(this.pageWaitTimer);
      this.pageWaitTimer = undefined;
    }, PAGE_ASK_AGAIN_MS);
  }

  /** Asks for a snapshot once the service would pass it on: a page stream that keeps failing (a hostile customer can
   * send thousands of bad events) must not have this socket exceed its message rate and be closed. */
  private requestSnapshotSoon(): void {
    if (this.snapshotAskTimer) return;
    const wait = Math.max(0, this.snapshotAskedAt + SNAPSHOT_REQUEST_INTERVAL_MS - Date.now());
    this.snapshotAskTimer = setTimeout(() => {
      this.snapshotAskTimer = undefined;
      this.requestSnapshot();
    }, wait);
  }

  private received(message: ServerMessageOf<'cobrowse.events'>): void {
    if (this.replayerClass) {
      this.ensureViewer(this.replayerClass).handle(message);
      return;
    }
    if (this.replayRetry) return;
    this.pending.push(message);
    this.prepareReplay();
  }

  /** Loads the replay chunk (once), then gives the view what arrived meanwhile. */
  private prepareReplay(): void {
    if (this.replayerClass || this.loadingReplayer || this.replayRetry) return;
    this.loadingReplayer = true;
    loadReplayer().then(
      (replayerClass) => {
        this.loadingReplayer = false;
        this.replayerClass = replayerClass;
        for (const message of this.pending.splice(0)) this.ensureViewer(replayerClass).handle(message);
        if (this.replayRetryWait.fresh) return;
        // What the page sent while the chunk could not be loaded is gone: the view needs a new snapshot.
        this.loading.textContent = WAITING_FOR_PAGE;
        this.requestSnapshot();
      },
      () => {
        this.loadingReplayer = false;
        this.pending = [];
        this.loading.textContent = REPLAY_NOT_LOADED;
        this.replayRetry = setTimeout(() => {
          this.replayRetry = undefined;
          this.prepareReplay();
        }, this.replayRetryWait.next());
      },
    );
  }

  private ensureViewer(replayerClass: ReplayerClass): CobrowseViewer {
    if (this.viewer) return this.viewer;
    const viewer = new CobrowseViewer(
      this.box,
      {
        onControlInput: (action, seq) => this.input.send({ type: 'control.input', action, seq }),
        onReadAloud: (nodeId, text) => void this.readElementAloud(nodeId, text),
        onFirstPaint: () => {
          this.loading.hidden = true;
          this.box.hidden = false;
          viewer.setFrameTitle('Live view of the customer\u2019s page');
        },
        onMaskedField: () => (this.status.textContent = 'That field is private: only the customer can fill it in.'),
        onGuide: (message) => this.guiding.send(message),
        onEventLost: () => this.requestSnapshotSoon(),
      },
      replayerClass,
    );
    viewer.setMaskSelectors(this.maskSelectors);
    viewer.guide.setTool(this.guideTools.current);
    this.viewer = viewer;
    this.applyMode();
    return viewer;
  }

  private async readElementAloud(nodeId: number, text: string): Promise<void> {
    this.status.textContent = text ? `Read aloud to the customer: \u201c${text}\u201d` : 'Read aloud to the customer.';
    const refusal = await answerOf(submit(this.client, { type: 'a11y.read', nodeId }));
    if (refusal) this.status.textContent = `That element could not be read aloud. ${refusal.message}`;
  }

  private setControl(state: ControlState): void {
    this.control = state === 'on';
    this.guideTools.setControl(this.control);
    this.applyMode();
  }

  private clearDrawings(): void {
    this.viewer?.guide.clear();
    void submit(this.client, { type: 'guide.clear' }).then((refusal) => {
      if (refusal) this.status.textContent = `The drawings could not be cleared. ${refusal.message}`;
    });
  }

  private applyMode(): void {
    const mode: ViewerMode = this.control ? 'control' : this.readAloud ? 'read-aloud' : 'view';
    this.viewer?.setMode(mode);
    this.box.dataset.mode = mode;
    this.modeLine.textContent = MODE_TEXT[mode] + (this.control && this.readAloud ? CONTROL_OVER_READ_ALOUD : '');
  }
}
