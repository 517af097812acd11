import { el } from '../shared/dom';
import { icon, type IconName } from '../shared/icons';
import { onUserClick } from './userAction';

/* The session's control bar: video on/off, larger/smaller, hide/show the video area, hang up. Each button's visible
 * text is its accessible name and says what pressing it does. */

export interface ControlActions {
  setVideo(on: boolean): void;
  setLarge(large: boolean): void;
  setVideoAreaShown(shown: boolean): void;
  hangUp(): void;
}

function button(
  cls: string,
  iconName: IconName,
  text: string,
): { button: HTMLButtonElement; label: HTMLElement; swap(iconName: IconName, text: string): void } {
  const label = el('span', {}, text);
  const b = el('button', { type: 'button', class: `control ${cls}` }, icon(iconName), label);
  return {
    button: b,
    label,
    swap(name, words) {
      b.firstElementChild?.replaceWith(icon(name));
      label.textContent = words;
    },
  };
}

export class SessionControls {
  readonly element: HTMLElement;
  private readonly video = button('video-toggle', 'cameraOff', 'Stop video');
  private readonly size = button('size-toggle', 'enlarge', 'Larger video');
  private readonly area = button('area-toggle', 'hide', 'Hide video');
  private readonly hangUpButton = button('hangup', 'hangUp', 'Hang up');
  private videoOn = true;
  private cameraMissing = false;
  private large = false;
  private shown = true;

  constructor(
    private readonly actions: ControlActions,
    stageId: string,
  ) {
    this.area.button.setAttribute('aria-controls', stageId);
    this.element = el(
      'div',
      { class: 'controls', role: 'group', 'aria-label': 'Call controls' },
      this.video.button,
      this.size.button,
      this.area.button,
      this.hangUpButton.button,
    );
    onUserClick(this.video.button, () => actions.setVideo(!this.videoOn));
    onUserClick(this.size.button, () => {
      this.setLarge(!this.large);
      actions.setLarge(this.large);
    });
    onUserClick(this.area.button, () => {
      this.setShown(!this.shown);
      actions.setVideoAreaShown(this.shown);
    });
    onUserClick(this.hangUpButton.button, () => actions.hangUp());
  }

  /** While the agent has paused our video the switch can't turn it back on (the server would refuse). */
  setVideo(on: boolean, pausedByAgent = false): void {
    this.videoOn = on;
    if (this.cameraMissing) return;
    this.video.swap(on ? 'cameraOff' : 'camera', on ? 'Stop video' : 'Start video');
    this.video.button.classList.toggle('off', !on);
    this.video.button.disabled = pausedByAgent;
  }

  /** In a call without a camera the switch has nothing to turn on, and says so. */
  setCameraMissing(): void {
    this.cameraMissing = true;
    this.video.swap('camera', 'No camera');
    this.video.button.classList.add('off');
    this.video.button.disabled = true;
  }

  setLarge(large: boolean): void {
    this.large = large;
    this.size.swap(large ? 'shrink' : 'enlarge', large ? 'Smaller video' : 'Larger video');
  }

  setShown(shown: boolean): void {
    this.shown = shown;
    this.area.swap(shown ? 'hide' : 'show', shown ? 'Hide video' : 'Show video');
    // The size only matters while the video area is shown.
    this.size.button.disabled = !shown;
  }
}
