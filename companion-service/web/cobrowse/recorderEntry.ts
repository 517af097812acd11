import { startVisitorCobrowse } from './visitorCobrowse';

// The lazily loaded bundle (/cobrowse-recorder.js) hands its entry point to the widget through this global.
(window as unknown as { __tandemCobrowse?: { startVisitorCobrowse: typeof startVisitorCobrowse } }).__tandemCobrowse = {
  startVisitorCobrowse,
};
