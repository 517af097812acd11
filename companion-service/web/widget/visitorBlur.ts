import { BackgroundBlur } from '../shared/blur/backgroundBlur';
import { BlurSwitch } from '../shared/blur/blurSwitch';
import type { LocalMedia } from './localMedia';
import type { VisitorSession } from './session';
import type { SessionView } from './sessionView';

/* Background blur in the visitor's call: the switch under the camera choice on the call screen; while it is on, the
 * blurred camera goes to every connection and into the preview. The blur chunk and its model load from the service
 * the first time the visitor turns it on, never before. */
export function visitorBlur(
  serviceOrigin: string,
  local: LocalMedia,
  session: VisitorSession,
  view: SessionView,
): BackgroundBlur {
  const blur: BackgroundBlur = new BackgroundBlur({
    serviceOrigin,
    stream: () => local.stream,
    swapped: async (previous, next) => {
      await session.mesh.replaceVideoTrack(previous, next);
      if (local.stream) view.stage.setSelf(local.stream, session.isVideoOn);
    },
    changed: (state, message) => blurSwitch.render(state, message),
  });
  const blurSwitch = new BlurSwitch(blur);
  view.picker.element.append(blurSwitch.element);
  return blur;
}
