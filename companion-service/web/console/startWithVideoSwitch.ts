import { el } from '../shared/dom';
import { rememberStartWithVideo, startsWithVideo } from './startWithVideo';

/* The "Start my video when I join" switch in Settings (only for agents with the video privilege). The session in
 * view has already joined, so the choice applies from the next one; the note says so. */
export function startWithVideoSwitch(): HTMLElement {
  const id = 'start-with-video';
  const input = el('input', { type: 'checkbox', role: 'switch', id, 'aria-describedby': `${id}-note` });
  input.checked = startsWithVideo();
  input.addEventListener('change', (event) => {
    // Only the agent's own input: not events a script made up.
    if (event.isTrusted) rememberStartWithVideo(input.checked);
    else input.checked = startsWithVideo();
  });
  return el(
    'div',
    { 'data-testid': 'start-with-video' },
    el('div', { class: 'switch-row' }, input, el('label', { for: id }, 'Start my video when I join')),
    el(
      'p',
      { class: 'hint', id: `${id}-note` },
      'From your next session on, your camera is shared as soon as you join; Video still turns it off. Remembered in this browser.',
    ),
  );
}
