import type { GuideTool } from '../cobrowse/viewer';
import { el } from '../shared/dom';

/* The live view's guiding tools: point (the agent's cursor shows on the customer's page, a click shows a ripple
 * there), draw freehand, draw an arrow, and clear the drawings. Drawing is for the view without remote control: while
 * control is on the pointer acts on the page instead, and only Clear stays. */

const TOOLS: ReadonlyArray<{ tool: GuideTool; label: string }> = [
  { tool: 'point', label: 'Point' },
  { tool: 'freehand', label: 'Draw' },
  { tool: 'arrow', label: 'Arrow' },
];

const HINT: Record<GuideTool, string> = {
  point: 'The customer sees your pointer on their page; a click shows them where.',
  freehand: 'Drag over the page to draw; drawings fade after a few seconds.',
  arrow: 'Drag from where the arrow starts to where it points.',
};

export class GuideTools {
  readonly element: HTMLElement;
  private readonly buttons = new Map<GuideTool, HTMLButtonElement>();
  private readonly hint = el('p', { class: 'hint guide-hint', id: 'guide-hint' });
  private tool: GuideTool = 'point';
  private control = false;

  constructor(
    private readonly chosen: (tool: GuideTool) => void,
    clear: () => void,
  ) {
    const group = el('div', { class: 'guide-tools', role: 'group', 'aria-label': 'Guide the customer' });
    for (const { tool, label } of TOOLS) {
      const button = el(
        'button',
        { type: 'button', class: 'tool', 'data-guide-tool': tool, 'aria-describedby': 'guide-hint' },
        label,
      );
      button.addEventListener('click', () => this.choose(tool));
      this.buttons.set(tool, button);
      group.append(button);
    }
    const clearButton = el('button', { type: 'button', class: 'tool', 'data-testid': 'guide-clear' }, 'Clear drawings');
    clearButton.addEventListener('click', clear);
    group.append(clearButton);
    this.element = el('div', { class: 'guide-bar' }, group, this.hint);
    this.render();
  }

  get current(): GuideTool {
    return this.tool;
  }

  /** Remote control on: the pointer acts on the page, so drawing steps aside. */
  setControl(on: boolean): void {
    this.control = on;
    if (on) this.choose('point');
    this.render();
  }

  private choose(tool: GuideTool): void {
    this.tool = tool;
    this.chosen(tool);
    this.render();
  }

  private render(): void {
    for (const [tool, button] of this.buttons) {
      button.setAttribute('aria-pressed', String(tool === this.tool));
      button.disabled = this.control && tool !== 'point';
    }
    this.hint.textContent = this.control
      ? 'You are in control: drawing returns when remote control ends.'
      : HINT[this.tool];
  }
}
