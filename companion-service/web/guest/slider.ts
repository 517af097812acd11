import { el } from '../shared/dom';
import { icon } from '../shared/icons';

/* The video slider: in small video mode only a few participants fit at once; Previous and Next page through the
 * others. In large mode everyone is shown and the slider is hidden. */

export class VideoSlider {
  readonly controls: HTMLElement;
  private readonly previous = el(
    'button',
    { type: 'button', class: 'slide' },
    icon('previous'),
    el('span', {}, 'Previous'),
  );
  private readonly next = el('button', { type: 'button', class: 'slide' }, el('span', {}, 'Next'), icon('next'));
  private readonly position = el('span', {
    class: 'position',
    'aria-live': 'polite',
    'data-testid': 'slider-position',
  });
  private small = false;
  private page = 0;

  constructor(
    private readonly list: HTMLElement,
    private readonly pageSize = 2,
  ) {
    this.controls = el(
      'div',
      { class: 'slider', role: 'group', 'aria-label': 'Page through participants', hidden: true },
      this.previous,
      this.position,
      this.next,
    );
    this.previous.addEventListener('click', () => this.go(this.page - 1));
    this.next.addEventListener('click', () => this.go(this.page + 1));
  }

  setSmall(small: boolean): void {
    this.small = small;
    this.update();
  }

  /** Call whenever tiles are added or removed. */
  update(): void {
    const items = [...this.list.children] as HTMLElement[];
    const pages = Math.max(1, Math.ceil(items.length / this.pageSize));
    const paging = this.small && pages > 1;
    this.page = Math.min(Math.max(0, this.page), pages - 1);
    items.forEach((item, i) => {
      item.hidden = paging && Math.floor(i / this.pageSize) !== this.page;
    });
    this.controls.hidden = !paging;
    this.previous.disabled = this.page === 0;
    this.next.disabled = this.page >= pages - 1;
    this.position.textContent = paging ? `${this.page + 1} of ${pages}` : '';
  }

  private go(page: number): void {
    this.page = page;
    this.update();
    // Keep focus on a usable button at the ends.
    if (this.previous.disabled && document.activeElement === this.previous) this.next.focus();
    if (this.next.disabled && document.activeElement === this.next) this.previous.focus();
  }
}
