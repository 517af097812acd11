/** Accessibility mode: the agent points at an element; the visitor's browser focuses it and announces its accessible
 * name through a polite live region, so the visitor's screen reader reads it aloud. */
export class ReadAloud {
  private readonly region: HTMLElement;

  constructor(private readonly isMasked: (el: Element) => boolean) {
    this.region = document.createElement('div');
    this.region.setAttribute('aria-live', 'polite');
    this.region.setAttribute('role', 'status');
    this.region.dataset.tandemLiveRegion = '';
    // Visually hidden, still read by screen readers.
    Object.assign(this.region.style, {
      position: 'fixed',
      width: '1px',
      height: '1px',
      overflow: 'hidden',
      clip: 'rect(0 0 0 0)',
      whiteSpace: 'nowrap',
      left: '0',
      top: '0',
    });
    document.body.append(this.region);
  }

  read(element: Element): string {
    if (element instanceof HTMLElement) {
      if (!element.hasAttribute('tabindex') && !isFocusable(element)) element.setAttribute('tabindex', '-1');
      element.focus({ preventScroll: false });
      element.scrollIntoView({ block: 'center', behavior: 'smooth' });
    }
    const text = this.isMasked(element) ? 'A private field.' : accessibleText(element);
    // Clear first so the same text twice is announced twice.
    this.region.textContent = '';
    setTimeout(() => (this.region.textContent = text), 50);
    return text;
  }

  destroy(): void {
    this.region.remove();
  }
}

function isFocusable(el: HTMLElement): boolean {
  return el.matches('a[href], button, input, select, textarea, summary, [contenteditable="true"]');
}

/** A practical accessible name: aria-label, aria-labelledby, a form field's label, alt text, then the text content. */
export function accessibleText(el: Element): string {
  const label = el.getAttribute('aria-label');
  if (label) return label.trim();
  const labelledBy = el.getAttribute('aria-labelledby');
  if (labelledBy) {
    const text = labelledBy
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' ')
      .trim();
    if (text) return text;
  }
  if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
    const fieldLabel = [...(el.labels ?? [])]
      .map((l) => l.textContent ?? '')
      .join(' ')
      .trim();
    const value =
      el instanceof HTMLSelectElement
        ? (el.selectedOptions[0]?.textContent ?? '')
        : el.type === 'password'
          ? ''
          : el.value;
    return [fieldLabel || el.getAttribute('placeholder') || el.name, value].filter(Boolean).join(': ').trim();
  }
  if (el instanceof HTMLImageElement) return el.alt.trim();
  return (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 500);
}
