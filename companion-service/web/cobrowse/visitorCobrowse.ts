import type { SignalingClient } from '../shared/signalingClient';
import type { ChangeGuard } from '../widget/earlyChangeGuard';
import { createMasking } from './masking';
import { ReadAloud } from './readAloud';
import { startRecorder } from './recorder';
import { navigate, RemoteControl } from './control/remoteControl';
import { FieldWatcher } from './fieldWatcher';
import { FrameWatcher } from './frameWatcher';
import { elementOf } from './control/domTargets';
import { GuideLayer } from './guide/guideLayer';

/* Everything cobrowse does on the visitor's page while an agent is in the session: record and stream the page,
 * answer snapshot requests, apply the agent's remote-control actions (the server only forwards them while the
 * visitor has granted control), read elements aloud, and show the agent's pointer, click ripples and drawings. Loaded lazily: a page with the widget but no session never
 * downloads it. */

export interface VisitorCobrowse {
  /** The customer hides or shows the agent's cursor, click ripples and drawings. */
  setGuidesShown(shown: boolean): void;
  /** The customer clears the agent's drawings from their page. */
  clearDrawings(): void;
  stop(): void;
}

export function startVisitorCobrowse(
  client: SignalingClient,
  maskSelectors: readonly string[],
  controlOn = false,
  changeGuard?: ChangeGuard,
  guidesShown = true,
): VisitorCobrowse {
  const masking = createMasking(maskSelectors);
  const recorder = startRecorder(masking, (part) => client.send({ type: 'cobrowse.events', ...part }));
  const readAloud = new ReadAloud(masking.isMasked);
  const control = new RemoteControl(recorder.nodeFor, masking.isMasked, document, changeGuard);
  const fields = new FieldWatcher(recorder.addCustomEvent, recorder.idOf, masking.isMasked);
  fields.start();
  fields.setReportFocus(controlOn);
  const frames = new FrameWatcher(recorder.addCustomEvent, recorder.idOf, masking.isMasked);
  frames.start();
  const guides = new GuideLayer((nodeId) => elementOf(recorder.nodeFor(nodeId)));
  guides.setHidden(!guidesShown);
  const offs = [
    client.on('cobrowse.snapshot.needed', () => recorder.snapshot()),
    client.on('control.input', (m) => {
      fields.actionArriving(m.seq);
      control.apply(m.action);
      // What the action did to fields behind the recorder's back (a framework's own setter) goes out with it, at once.
      fields.check();
      recorder.flushSoon();
    }),
    client.on('control.state', (m) => {
      fields.setReportFocus(m.state === 'on');
      if (m.state !== 'on') control.reset();
    }),
    client.on('control.navigate', (m) => navigate(m.action)),
    client.on('a11y.read', (m) => {
      const node = recorder.nodeFor(m.nodeId);
      const el = node instanceof Element ? node : node?.parentElement;
      if (el) readAloud.read(el);
    }),
    client.on('guide.pointer', (m) => guides.pointerAt(m)),
    client.on('guide.gesture', (m) => guides.gesture(m.at)),
    client.on('guide.stroke', (m) => guides.stroke(m)),
    client.on('guide.clear', () => guides.clearDrawings()),
  ];
  return {
    setGuidesShown: (shown) => guides.setHidden(!shown),
    clearDrawings: () => guides.clearDrawings(),
    stop() {
      for (const off of offs) off();
      fields.stop();
      frames.stop();
      control.stop();
      recorder.stop();
      readAloud.destroy();
      guides.destroy();
    },
  };
}
