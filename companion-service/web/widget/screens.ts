import { CAMERA_HELP, type CameraProblem } from '../shared/camera';
import { el } from '../shared/dom';
import type { CameraPicker } from './cameraPicker';
import type { Screen } from './shell';
import { onUserClick } from './userAction';

/* The simple screens: camera not enabled yet (step 1 of 2), the blocked-camera alert, and the end of a call. */

function row(...buttons: HTMLButtonElement[]): HTMLElement {
  return el('div', { class: 'row' }, ...buttons);
}

function button(cls: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', class: cls }, text);
  onUserClick(b, onClick);
  return b;
}

/** The way on without a camera that a camera alert offers: its button's text and what it does. */
export interface WithoutCamera {
  label: string;
  onChoose(button: HTMLButtonElement): void;
}

/** What to do when the browser refuses the camera, by cause. Blocked gets step-by-step help. With `without`, the
 * alert also offers to go on without a camera: nobody has to be turned away for lack of one. */
export function cameraAlert(problem: CameraProblem, without?: WithoutCamera): HTMLElement {
  const goOn: HTMLElement[] = [];
  if (without) {
    const choose: HTMLButtonElement = button('secondary', without.label, () => without.onChoose(choose));
    goOn.push(
      el('p', {}, 'You can also go on without your camera: the agent will hear you if your microphone works.'),
      row(choose),
    );
  }
  if (problem !== 'blocked') {
    return el('div', { class: 'alert', role: 'alert' }, el('p', {}, CAMERA_HELP[problem]), ...goOn);
  }
  return el(
    'div',
    { class: 'alert camera-blocked', role: 'alert', 'data-testid': 'camera-blocked-alert' },
    el('p', { class: 'alert-title' }, 'Camera blocked'),
    el('p', {}, 'Your browser is blocking the camera, so the agent can\u2019t see or hear you yet. To allow it:'),
    el(
      'ol',
      {},
      el('li', {}, 'Select the camera icon (or the padlock) in the address bar, next to the page address.'),
      el('li', {}, 'Set Camera and Microphone to Allow for this site.'),
      el('li', {}, 'Select Try again below. Some browsers ask you to reload the page first.'),
    ),
    ...goOn,
  );
}

export interface CameraScreenOptions {
  picker: CameraPicker;
  problem?: CameraProblem;
  onEnable(button: HTMLButtonElement): void;
  /** Offered once the camera could not be used. */
  onWithoutCamera(button: HTMLButtonElement): void;
  onCancel(): void;
}

/** Step 1 of 2 (code flow): the camera is not on yet. */
export function cameraScreen(o: CameraScreenOptions): Screen {
  const enable = button('primary', o.problem ? 'Try again' : 'Enable camera', () => o.onEnable(enable));
  return {
    name: o.problem === 'blocked' ? 'camera-blocked' : 'camera-off',
    title: 'Start a video call',
    nodes: [
      el('p', { class: 'step' }, 'Step 1 of 2'),
      el(
        'p',
        {},
        'Your camera is not on yet. Turn it on so the agent can see you, and we will give you a code to read to them.',
      ),
      ...(o.problem ? [cameraAlert(o.problem, { label: 'Continue without camera', onChoose: o.onWithoutCamera })] : []),
      o.picker.element,
      row(button('secondary', 'Cancel', o.onCancel), enable),
    ],
    focus: enable,
  };
}

/** Said wherever a customer's browser can't make calls: what still works. */
export const NO_CALLS_TEXT =
  'This browser has video calls (WebRTC) turned off, so you and the agent can\u2019t see or hear each other here. The agent can still see this page: talk to them on the phone, or use a browser with video calls on.';

/** Instead of step 1 (code flow) in a browser that can't make calls: the code still lets the agent see the page. */
export function noCallsScreen(o: { onGetCode(button: HTMLButtonElement): void; onCancel(): void }): Screen {
  const getCode = button('primary', 'Get a code', () => o.onGetCode(getCode));
  return {
    name: 'no-calls',
    title: 'Video calls are off in this browser',
    nodes: [
      el('p', { role: 'status' }, NO_CALLS_TEXT),
      el('p', {}, 'Get a code and read it to the agent: they will see this page and can guide you through it.'),
      row(button('secondary', 'Cancel', o.onCancel), getCode),
    ],
    focus: getCode,
  };
}

const END_DETAIL: Record<string, string> = {
  visitor_hangup: 'You hung up.',
  agent_hangup: 'The agent left the call.',
  agent_ended: 'The agent ended the call.',
  visitor_lost: 'Your connection to the call was lost.',
  agent_lost: 'The agent\u2019s connection was lost.',
  code_expired: 'The code expired before an agent joined.',
  connection_lost: 'The connection to the call was lost.',
  service_restart: 'The video service restarted, which ended the call. Start a new one if you still need help.',
};

export function endedScreen(reason: string, onClose: () => void): Screen {
  const close = button('primary', 'Close', onClose);
  const detail = END_DETAIL[reason];
  return {
    name: 'ended',
    title: 'Call ended',
    nodes: [
      el('p', { role: 'status' }, 'The session has ended.'),
      ...(detail ? [el('p', {}, detail)] : []),
      row(close),
    ],
    focus: close,
  };
}

/** A short message with a Close button (a declined or withdrawn invitation, a refused request). */
export function noticeScreen(name: string, title: string, text: string, onClose: () => void): Screen {
  const close = button('primary', 'Close', onClose);
  return { name, title, nodes: [el('p', { role: 'status' }, text), row(close)], focus: close };
}
