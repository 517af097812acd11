/* The visitor's own controls answer only the visitor: events a script makes up (isTrusted false), such as the
 * clicks and key presses remote control replays on the page, can't press Start video, Hang up, Accept or Allow on
 * the visitor's behalf. Real clicks, taps, keyboard activation and assistive technology are trusted. */

export function onUserClick(target: HTMLElement, handler: (event: MouseEvent) => void): void {
  target.addEventListener('click', (event) => {
    if (event.isTrusted) handler(event);
  });
}
