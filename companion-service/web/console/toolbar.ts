import { el } from '../shared/dom';
import { icon, type IconName } from '../shared/icons';

/* The console toolbar. Each tool is either a panel (a disclosure: the button shows and hides its panel, one open at
 * a time) or a switch (aria-pressed, with a green dot in the icon while on). New tools (e.g. Remote Control) are one
 * call each. */

export interface ToolSwitch {
  button: HTMLButtonElement;
  setOn(on: boolean): void;
  setBusy(busy: boolean): void;
}

export class Toolbar {
  readonly element = el('div', { class: 'toolbar', role: 'group', 'aria-label': 'Session tools' });
  readonly panels = el('div', { class: 'panels' });
  private open: { button: HTMLButtonElement; panel: HTMLElement } | undefined;

  constructor() {
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !this.open) return;
      const { button } = this.open;
      this.close();
      button.focus();
    });
  }

  /** A button that shows and hides a panel. `onOpen` runs each time the panel opens. */
  addPanel(id: string, label: string, iconName: IconName, panel: HTMLElement, onOpen?: () => void): HTMLButtonElement {
    const panelId = `panel-${id}`;
    panel.id = panelId;
    panel.classList.add('panel');
    panel.hidden = true;
    const button = el(
      'button',
      { type: 'button', class: 'tool', id: `tool-${id}`, 'aria-expanded': 'false', 'aria-controls': panelId },
      el('span', { class: 'tool-icon' }, icon(iconName)),
      el('span', { class: 'tool-label' }, label),
    );
    button.addEventListener('click', () => {
      const wasOpen = this.open?.panel === panel;
      this.close();
      if (wasOpen) return;
      this.open = { button, panel };
      panel.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      onOpen?.();
    });
    this.element.append(button);
    this.panels.append(panel);
    return button;
  }

  /** An on/off tool with a green dot in its icon while on. */
  addSwitch(id: string, label: string, iconName: IconName, onClick: () => void): ToolSwitch {
    const dot = el('span', { class: 'on-dot', 'data-testid': `${id}-on-dot`, hidden: true });
    const button = el(
      'button',
      { type: 'button', class: 'tool', id: `tool-${id}`, 'aria-pressed': 'false' },
      el('span', { class: 'tool-icon' }, icon(iconName), dot),
      el('span', { class: 'tool-label' }, label),
    );
    button.addEventListener('click', onClick);
    this.element.append(button);
    return {
      button,
      setOn(on: boolean) {
        button.setAttribute('aria-pressed', String(on));
        dot.hidden = !on;
      },
      setBusy(busy: boolean) {
        button.disabled = busy;
        if (busy) button.setAttribute('aria-busy', 'true');
        else button.removeAttribute('aria-busy');
      },
    };
  }

  close(): void {
    if (!this.open) return;
    this.open.panel.hidden = true;
    this.open.button.setAttribute('aria-expanded', 'false');
    this.open = undefined;
  }

  disableAll(): void {
    this.close();
    for (const button of this.element.querySelectorAll('button')) button.disabled = true;
  }
}
