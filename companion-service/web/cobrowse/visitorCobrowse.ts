import type { SignalingClient } from '../shared/signalingClient';
import type { ChangeGuard } from '../widget/earlyChangeGuard';
import { createMasking } from './masking';
import { ReadAloud } from './readAloud';
import { startRecorder } from './recorder';
import { navigate, RemoteControl } from './control/remoteControl';
import { FieldWatcher } from './fieldWatcher';

/* Everything cobrowse does on the visitor's page while an agent is in the session: record and stream the page,
 * answer snapshot requests, apply the agent's remote-control actions (the server only forwards them while the
 * visitor has granted control) and read elements aloud. Loaded lazily: a page with the widget but no session never
 * downloads it. */

export interface VisitorCobrowse {
  stop(): void;
}

export function startVisitorCobrowse(
  client: SignalingClient,
  maskSelectors: readonly string[],
  controlOn = false,
  changeGuard?: ChangeGuard,
): VisitorCobrowse {
  const masking = createMasking(maskSelectors);
  const recorder = startRecorder(masking, (part) => client.send({ type: 'cobrowse.events', ...part }));
  const readAloud = new ReadAloud(masking.isMasked);
  const control = new RemoteControl(recorder.nodeFor, masking.isMasked, document, changeGuard);
  const fields = new FieldWatcher(recorder.addCustomEvent, recorder.idOf, masking.isMasked);
  fields.start();
  fields.setReportFocus(controlOn);
  const offs = [
    client.on('cobrowse.snapshot.needed', () => recorder.snapshot()),
    client.on('control.input', (m) => {
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
  ];
  return {
    stop() {
      for (const off of offs) off();
      fields.stop();
      control.stop();
      recorder.stop();
      readAloud.destroy();
    },
  };
}
