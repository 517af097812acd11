/** The widget's own styles, scoped by its shadow root: the host page's CSS can't reach in, and these can't leak out. */
export const WIDGET_CSS = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.launcher, .panel { position: fixed; right: 24px; bottom: 24px; z-index: 2147483000; }
.launcher { background: #0b5cab; color: #fff; border: 0; border-radius: 24px; padding: 12px 20px; font-size: 15px;
  cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
.launcher:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #ffb000; outline-offset: 2px; }
.panel { width: 320px; background: #fff; color: #1b1b1b; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3);
  padding: 16px; font-size: 14px; }
.panel h2 { font-size: 16px; margin: 0 0 8px; }
.panel p { margin: 8px 0; line-height: 1.4; }
.videos { display: grid; gap: 8px; }
video { width: 100%; background: #222; border-radius: 8px; aspect-ratio: 4 / 3; object-fit: cover; }
.code { font-size: 30px; letter-spacing: 6px; font-weight: 700; text-align: center; margin: 8px 0;
  font-variant-numeric: tabular-nums; }
.alert { background: #fdecea; color: #8a1c12; border-radius: 8px; padding: 8px 10px; }
.status { color: #3a3a3a; }
.row { display: flex; gap: 8px; justify-content: flex-end; margin-top: 12px; }
button.primary { background: #0b5cab; color: #fff; border: 0; border-radius: 6px; padding: 8px 14px; cursor: pointer; }
button.secondary { background: #fff; color: #0b5cab; border: 1px solid #0b5cab; border-radius: 6px; padding: 8px 14px; cursor: pointer; }
button.hangup { background: #c23934; color: #fff; border: 0; border-radius: 6px; padding: 8px 14px; cursor: pointer; }
[hidden] { display: none !important; }
`;
