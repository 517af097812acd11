import { MICROPHONE_PROBLEM, type CameraProblem } from '../shared/camera';
import { el } from '../shared/dom';
import { CameraPicker } from './cameraPicker';
import { SessionControls, type ControlActions } from './controls';
import { GuidesSwitch, type GuideActions } from './guidesSwitch';
import { RemoteControlNotice, type RemoteControlActions } from './remoteControlNotice';
import { NO_CALLS_TEXT } from './screens';
import type { Screen } from './shell';
import { Stage } from './stage';

/* The in-call screen, for both flows. From top to bottom: the code to read out (code flow, step 2 of 2), the
 * waiting message (until an agent is here), the remote-control request or notice, the switch for the agent's pointer
 * and drawings (while an agent is here), the camera-off alert (while our video is off), the microphone notice (in the
 * call with the camera alone), the video area, a status line, the camera choice; the call controls stay in view
 * below. */

export function formatCode(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

export interface SessionViewOptions extends ControlActions {
  remoteControl: RemoteControlActions;
  guides: GuideActions;
  flow: 'code' | 'invited';
  /** The agent the visitor said yes to (1-click), for the waiting message. */
  agentName?: string;
  picker: CameraPicker;
  /** The code just appeared (it takes a round trip): the place to move focus to. */
  codeShown?(codeBlock: HTMLElement): void;
}

export class SessionView {
  readonly stage = new Stage();
  readonly controls: SessionControls;
  readonly picker: CameraPicker;
  readonly remoteControl: RemoteControlNotice;
  /** Screen share: the agent's request, our sharing notice, and the screen the agent shares (visitorScreenShare.ts). */
  readonly screenShareSlot = el('div', { class: 'screen-share-slot' });
  /** Hide or clear the agent's pointer and drawings, while an agent is here. */
  readonly guides: GuidesSwitch;
  readonly screen: Screen;
  private readonly waiting = el('div', { class: 'notice waiting', role: 'status', 'data-testid': 'waiting-message' });
  private readonly codeBlock = el('div', { class: 'code-block', tabindex: '-1', hidden: true });
  private readonly cameraOffSlot = el('div', { class: 'alert-slot' });
  private readonly microphoneSlot = el('div', { class: 'alert-slot' });
  private readonly status = el('p', { class: 'status', role: 'status' });
  private agentHere = false;
  /** Set when the call goes on without a camera: what the visitor has instead. */
  private withoutCamera: 'microphone' | 'nothing' | undefined;
  /** False in a browser that can't make calls (setWithoutCalls). */
  private calls = true;

  constructor(private readonly o: SessionViewOptions) {
    this.picker = o.picker;
    this.remoteControl = new RemoteControlNotice(o.remoteControl);
    this.guides = new GuidesSwitch(o.guides);
    this.controls = new SessionControls(
      {
        ...o,
        setVideoAreaShown: (shown) => {
          this.stage.element.hidden = !shown;
          o.setVideoAreaShown(shown);
        },
      },
      this.stage.element.id,
    );
    const preparing = o.flow === 'code' ? 'Getting your session code\u2026' : 'Joining the call\u2026';
    this.status.textContent = preparing;
    this.renderWaiting();
    this.screen = {
      name: 'session',
      title: 'Video call',
      nodes: [
        this.codeBlock,
        this.waiting,
        this.remoteControl.element,
        this.screenShareSlot,
        this.guides.element,
        this.cameraOffSlot,
        this.microphoneSlot,
        this.stage.element,
        this.status,
        this.picker.element,
      ],
      footer: [this.controls.element],
    };
  }

  /** Code flow, step 2 of 2: the code to read to the agent. */
  setCode(code: string, expiresAt: number): void {
    const minutes = Math.max(1, Math.round((expiresAt - Date.now()) / 60000));
    const digits = code.split('').join(' ');
    this.codeBlock.replaceChildren(
      el('p', { class: 'step' }, 'Step 2 of 2'),
      el('p', {}, 'Read this code to your agent:'),
      el(
        'p',
        { class: 'code' },
        el('span', { 'aria-hidden': 'true', 'data-testid': 'session-code' }, formatCode(code)),
        el('span', { class: 'sr-only' }, digits),
      ),
      el('p', { class: 'hint' }, `The code works for ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`),
    );
    const first = this.codeBlock.hidden && !this.agentHere;
    this.codeBlock.hidden = this.agentHere;
    this.status.textContent = '';
    if (first) this.o.codeShown?.(this.codeBlock);
  }

  setAgentPresent(present: boolean): void {
    this.agentHere = present;
    this.guides.setAvailable(present);
    this.codeBlock.hidden = present || this.codeBlock.childElementCount === 0;
    this.renderWaiting();
  }

  /** In the call without a camera (none, blocked or busy), with or without a microphone: for the whole call. */
  setWithoutCamera(hasMicrophone: boolean): void {
    this.withoutCamera = hasMicrophone ? 'microphone' : 'nothing';
    this.controls.setCameraMissing();
    this.setVideo(false);
  }

  /** In a browser that can't make calls: no video or sound either way, for the whole session; the page is still seen. */
  setWithoutCalls(): void {
    this.controls.setCameraMissing();
    this.controls.setVideo(false, false);
    this.cameraOffSlot.replaceChildren(
      el(
        'div',
        { class: 'alert camera-off', role: 'status', 'data-testid': 'no-calls-alert' },
        el('p', { class: 'alert-title' }, 'Video calls are off in this browser'),
        el('p', {}, NO_CALLS_TEXT),
      ),
    );
    this.calls = false;
  }

  /** In the call with the camera but without the microphone: why, and how to be heard. A page load reopens both
   * and carries the call on (the stored call), so that is the way back once the cause is fixed. */
  setMicrophoneProblem(problem: CameraProblem): void {
    this.microphoneSlot.replaceChildren(
      el(
        'div',
        { class: 'alert microphone-off', role: 'status', 'data-testid': 'microphone-alert' },
        el('p', { class: 'alert-title' }, 'The agent can\u2019t hear you'),
        el('p', {}, `${MICROPHONE_PROBLEM[problem]} Once that is fixed, reload this page: your call carries on.`),
      ),
    );
  }

  /** Our own video: shows why it is off (our own switch, or the agent paused it) while it is. */
  setVideo(on: boolean, pausedByAgent = false): void {
    if (!this.calls) return; // the no-calls notice stands
    this.controls.setVideo(on, pausedByAgent);
    const shown = this.cameraOffSlot.firstElementChild as HTMLElement | null;
    const wanted = this.withoutCamera ? 'none' : on ? undefined : pausedByAgent ? 'paused' : 'off';
    if (shown?.dataset.reason === wanted) return;
    this.cameraOffSlot.replaceChildren(...(wanted ? [this.cameraOffAlert(wanted)] : []));
  }

  /** Why our video is off, and what the others still get. Without a camera it is a standing state, not news. */
  private cameraOffAlert(reason: 'none' | 'paused' | 'off'): HTMLElement {
    const [title, text] =
      reason === 'none'
        ? [
            'You are in the call without a camera',
            this.withoutCamera === 'microphone'
              ? 'The agent can hear you, but not see you. You can see and hear them.'
              : 'No microphone could be used either, so the agent can\u2019t see or hear you. You can see and hear them.',
          ]
        : reason === 'paused'
          ? [
              'The agent has paused your video',
              'Nobody in the call can see you until the agent turns your video back on. They can still hear you.',
            ]
          : [
              'Your camera is off',
              'Nobody in the call can see you, but they can still hear you. To show your video again, select Start video.',
            ];
    return el(
      'div',
      {
        class: 'alert camera-off',
        role: reason === 'none' ? 'status' : 'alert',
        'data-testid': 'camera-off-alert',
        'data-reason': reason,
      },
      el('p', { class: 'alert-title' }, title),
      el('p', {}, text),
    );
  }

  /** After a page load: larger video and the hidden video area as the visitor left them. */
  restoreLayout(large: boolean, videoAreaShown: boolean): void {
    this.controls.setLarge(large);
    this.controls.setShown(videoAreaShown);
    this.stage.element.hidden = !videoAreaShown;
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  destroy(): void {
    this.stage.destroy();
  }

  private renderWaiting(): void {
    this.waiting.hidden = this.agentHere;
    if (this.agentHere) {
      this.waiting.textContent = '';
      return;
    }
    const who = this.o.agentName ? this.o.agentName : 'the agent';
    this.waiting.textContent =
      this.o.flow === 'invited'
        ? `Thanks, you are in. Waiting for ${who} to connect. Please keep this page open.`
        : `Waiting for ${who} to join. Please keep this page open.`;
  }
}
