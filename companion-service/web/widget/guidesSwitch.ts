import { el } from '../shared/dom';
import { onUserClick } from './userAction';

/* The customer's say over the agent's guiding on their page: hide (or show again) the agent's cursor, click ripples
 * and drawings, and clear the drawings. Shown while an agent is in the call. Each button's text says what it does. */

export interface GuideActions {
  setGuidesShown(shown: boolean): void;
  clearDrawings(): void;
}

const HIDE = 'Hide agent\u2019s pointer and drawings';
const SHOW = 'Show agent\u2019s pointer and drawings';

export class GuidesSwitch {
  readonly element: HTMLElement;
  private readonly toggle = el('button', { type: 'button', class: 'secondary', 'data-testid': 'guides-toggle' }, HIDE);
  private readonly clear = el(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'guides-clear' },
    'Clear drawings',
  );
  private shown = true;

  constructor(actions: GuideActions) {
    this.element = el(
      'div',
      { class: 'row guides', role: 'group', 'aria-label': 'Agent\u2019s pointer and drawings', hidden: true },
      this.toggle,
      this.clear,
    );
    onUserClick(this.toggle, () => {
      this.setShown(!this.shown);
      actions.setGuidesShown(this.shown);
    });
    onUserClick(this.clear, () => actions.clearDrawings());
  }

  setAvailable(available: boolean): void {
    this.element.hidden = !available;
  }

  setShown(shown: boolean): void {
    this.shown = shown;
    this.toggle.textContent = shown ? HIDE : SHOW;
    this.clear.disabled = !shown;
  }
}
