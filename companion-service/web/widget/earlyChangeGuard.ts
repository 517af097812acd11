/* A listener for `change` on the window, capturing, registered when the widget's script runs: before the page's own
 * scripts that come after the widget's tag, so it sees each change event before them. Remote control uses it to stop
 * the one change event a browser would add to the agent's Enter (see cobrowse/control/fieldCommit.ts); until then it
 * does nothing. */

export interface ChangeGuard {
  /** Returns true to stop this change event before the page sees it. */
  set(decide: ((event: Event) => boolean) | undefined): void;
}

export function installChangeGuard(win: Window): ChangeGuard {
  let decide: ((event: Event) => boolean) | undefined;
  win.addEventListener(
    'change',
    (event) => {
      if (decide?.(event)) event.stopImmediatePropagation();
    },
    true,
  );
  return { set: (next) => (decide = next) };
}
