/* The agent's "Start my video when I join" choice, remembered in this browser: the console's first script (boot.ts)
 * sends it with agent.join, so the camera's video goes out from the call's first moment instead of after a click on
 * Video (the service grants it only with the video privilege). Off unless the agent chose it. Kept apart from the
 * switch (startWithVideoSwitch.ts) so that boot.js stays small. */

export const START_WITH_VIDEO_KEY = 'tandem.console.startWithVideo';

export function startsWithVideo(): boolean {
  try {
    return localStorage.getItem(START_WITH_VIDEO_KEY) === 'on';
  } catch {
    return false; // storage blocked: the default
  }
}

export function rememberStartWithVideo(on: boolean): void {
  try {
    if (on) localStorage.setItem(START_WITH_VIDEO_KEY, 'on');
    else localStorage.removeItem(START_WITH_VIDEO_KEY);
  } catch {
    /* storage blocked: the choice lasts for this page only */
  }
}
