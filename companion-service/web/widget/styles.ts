/* The widget's own styles, scoped by its shadow root: the host page's CSS can't reach in, and these can't leak out.
 * `:host` uses !important so the page can't hide, move, clip or transform the host element itself (for important
 * declarations the shadow tree's own rule wins over the page's). Sizes are in px, not rem, so the page's root font
 * size can't change them. Colours meet WCAG AA contrast (4.5:1 for text, 3:1 for controls and focus).
 * In two parts, so that a page where no call starts only gets the first. */

/** What the launcher needs: in the loader (widget.js), adopted when the widget mounts. */
export const LAUNCHER_CSS = `
:host {
  all: initial !important;
  display: block !important;
  position: fixed !important;
  inset: auto !important;
  top: 0 !important;
  left: 0 !important;
  width: 0 !important;
  height: 0 !important;
  margin: 0 !important;
  padding: 0 !important;
  border: 0 !important;
  overflow: visible !important;
  background: transparent !important;
  z-index: 2147483000 !important;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }

.frame {
  position: fixed; z-index: 2147483000; display: block; width: max-content; max-width: calc(100vw - 32px);
  color-scheme: light; color: #1b1b1b;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  text-align: left; direction: ltr;
}
button, select { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; }
:focus { outline: none; }
:focus-visible { outline: 3px solid #ffd60a; outline-offset: 0; box-shadow: 0 0 0 6px #0b0c0c; }
.sr-only {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0;
}
svg.icon { width: 20px; height: 20px; flex: none; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; }
svg.icon-grip circle, svg.icon-brand circle { fill: currentColor; stroke: none; }
svg.icon-brand circle:first-child { fill: #0b5cab; }
svg.icon-brand circle:last-child { fill: #e0701f; opacity: .9; }

.launcher {
  display: inline-flex; align-items: center; gap: 8px; background: #0b5cab; color: #fff; border: 0;
  border-radius: 24px; padding: 12px 20px; font-size: 15px; font-weight: 600; box-shadow: 0 4px 14px rgba(0,0,0,.3);
}
.launcher:hover { background: #094a8a; }
.launcher[aria-busy="true"] { cursor: progress; }
.launcher-note { display: block; width: max-content; max-width: 280px; margin: 8px 0 0 auto; padding: 6px 10px; background: #fff;
  color: #1b1b1b; border: 1px solid #b8c0c8; border-radius: 8px; font-size: 13px; box-shadow: 0 4px 14px rgba(0,0,0,.2); }
.launcher-note:empty { margin: 0; padding: 0; border: 0; box-shadow: none; }
`;

/** Everything else (the panel and its screens): in the call chunk, added to the shadow root when it loads. */
export const CALL_CSS = `
button:disabled, select:disabled { cursor: not-allowed; }
h2:focus-visible, .code-block:focus-visible { box-shadow: none; outline: 3px solid #0b5cab; outline-offset: 2px; }

.panel {
  width: 320px; max-width: 100%; background: #fff; border: 1px solid #b8c0c8; border-radius: 12px;
  box-shadow: 0 8px 30px rgba(0,0,0,.3); display: flex; flex-direction: column;
  max-height: calc(100vh - 32px); overflow: hidden;
}
.frame.large .panel { width: 540px; }
.bar { flex: none; display: flex; align-items: center; gap: 8px; padding: 8px 8px 8px 12px; border-bottom: 1px solid #e1e5ea;
  background: #f6f8fa; border-radius: 12px 12px 0 0; }
.brand { display: inline-flex; flex: none; }
.brand svg.icon { width: 26px; height: 26px; }
.bar h2 { flex: 1; font-size: 16px; font-weight: 700; margin: 0; }
.handle { flex: none; width: 36px; height: 36px; display: inline-flex; align-items: center; justify-content: center;
  border: 1px solid #6b7785; border-radius: 8px; background: #fff; color: #1b1b1b; cursor: grab; touch-action: none; }
.frame.moving .handle { cursor: grabbing; }
.body { padding: 12px 16px 16px; overflow: auto; min-height: 0; }
.footer { padding: 8px 16px 12px; border-top: 1px solid #e1e5ea; flex: none; }
.body p { margin: 8px 0; }
.step { font-size: 12px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; color: #3d4852; }
.hint { font-size: 12px; color: #4a4a4a; }
.status { color: #333; min-height: 1px; }
.status:empty { margin: 0; }

.row { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }
button.primary, button.secondary { border-radius: 6px; padding: 8px 14px; font-weight: 600; }
button.primary { background: #0b5cab; color: #fff; border: 1px solid #0b5cab; }
button.primary:hover { background: #094a8a; }
button.secondary { background: #fff; color: #0b5cab; border: 1px solid #0b5cab; }
button.primary:disabled, button.primary[aria-disabled="true"] { background: #4f6f94; border-color: #4f6f94; cursor: progress; }
button.secondary[aria-disabled="true"] { color: #4f6f94; border-color: #4f6f94; cursor: progress; }

.alert { background: #fdecea; color: #5f1410; border-left: 4px solid #b3261e; border-radius: 6px; padding: 8px 10px; margin: 8px 0; }
.alert p { margin: 4px 0; }
.alert ol { margin: 4px 0; padding-left: 20px; }
.alert-title { font-weight: 700; }
.notice { background: #e8f1fb; color: #0b3a6e; border-left: 4px solid #0b5cab; border-radius: 6px; padding: 8px 10px; margin: 8px 0; }

.control-request { background: #fff4e5; color: #4d2a00; border-left-color: #a35200; }
.control-request .row, .control-on .row { margin-top: 6px; }
.row.guides { justify-content: flex-start; flex-wrap: wrap; margin: 0 0 8px; }
.code-block { text-align: center; border-radius: 8px; }
.code { font-size: 30px; letter-spacing: 6px; font-weight: 700; margin: 4px 0; font-variant-numeric: tabular-nums; }

.field { margin: 10px 0 0; }
.field label { display: block; font-size: 12px; font-weight: 700; margin-bottom: 4px; }
.field select { width: 100%; min-height: 36px; padding: 4px 8px; border: 1px solid #6b7785; border-radius: 6px; background: #fff; }
.field select:disabled { background: #eef0f2; color: #4a4a4a; }
.field .hint { margin: 4px 0 0; }
.blur-setting { margin-top: 8px; }
.switch-row { display: flex; align-items: center; gap: 6px; }
.switch-row input { width: 18px; height: 18px; margin: 0; }
.field .switch-row label { display: inline; margin: 0; font-weight: 400; }

.terms-text { max-height: 180px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px;
  border: 1px solid #b8c0c8; border-radius: 6px; padding: 8px 10px; background: #fbfcfd; }
.countdown { font-weight: 600; font-variant-numeric: tabular-nums; }

.stage { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; margin: 8px 0; }
.tile { position: relative; margin: 0; aspect-ratio: 16 / 9; background: #1f2933; border-radius: 8px; overflow: hidden; }
.tile.main, .stage[data-count="1"] .tile { grid-column: 1 / -1; }
.tile-agent { order: 0; } .tile-guest { order: 1; } .tile-self { order: 2; }
.tile video { display: block; width: 100%; height: 100%; object-fit: cover; background: #1f2933; }
.shared-screen { margin: 8px 0; }
.shared-screen[hidden] { display: none; }
.shared-screen-title { font-size: 14px; margin: 0 0 6px; }
.shared-screen video { display: block; width: 100%; aspect-ratio: 16 / 9; object-fit: contain; background: #111; border-radius: 6px; }
.shared-screen-note { margin: 6px 0 0; }
.shared-screen-note:empty { display: none; }
.tile-self video { transform: scaleX(-1); }
.avatar { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; }
.tile:not(.video-off) .avatar { display: none; }
.avatar span { width: 56px; height: 56px; border-radius: 50%; background: #0b5cab; color: #fff; font-size: 20px;
  font-weight: 700; display: flex; align-items: center; justify-content: center; }
.tile figcaption { position: absolute; left: 6px; bottom: 6px; max-width: calc(100% - 12px); padding: 2px 6px;
  border-radius: 4px; background: rgba(0,0,0,.75); color: #fff; font-size: 12px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }

.controls { display: flex; gap: 6px; }
.control { flex: 1 1 0; min-width: 0; display: flex; flex-direction: column; align-items: center; gap: 2px;
  padding: 6px 4px; font-size: 12px; line-height: 1.2; text-align: center; background: #f1f4f8; color: #1b1b1b;
  border: 1px solid #6b7785; border-radius: 8px; }
.control:hover { background: #e3e8ee; }
.control:disabled { color: #5c5c5c; background: #eef0f2; border-color: #9aa4ae; }
.control.off { background: #fff4e5; border-color: #8a4b00; color: #5c3200; }
.control.hangup { background: #b3261e; border-color: #b3261e; color: #fff; }
.control.hangup:hover { background: #8f1e18; }
`;
