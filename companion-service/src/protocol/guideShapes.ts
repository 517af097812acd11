import { Type, type Static } from '@sinclair/typebox';
import { NodeId } from './controlActions';
import { GUIDE_COORDINATE_MAX, GUIDE_STROKE_POINTS } from './guideLimits';

/* What guiding sends (the agent's pointer, gestures and drawings over the visitor's page, without remote control),
 * every number bounded. Pointer and gestures name an element of the recording (the rrweb node id) and a place in its
 * box as fractions of its size, so they stay on that element whatever the visitor's scroll position or layout size;
 * drawings are in the visitor's document (page) pixels, so they scroll with the page. */

const Fraction = Type.Number({ minimum: 0, maximum: 1 });
export const GuideAnchor = Type.Object({ nodeId: NodeId, fx: Fraction, fy: Fraction }, { additionalProperties: false });
export type GuideAnchor = Static<typeof GuideAnchor>;

export { GUIDE_COORDINATE_MAX, GUIDE_STROKE_POINTS };
const PagePixel = Type.Integer({ minimum: 0, maximum: GUIDE_COORDINATE_MAX });
export const StrokeShape = Type.Union([Type.Literal('freehand'), Type.Literal('arrow')]);
export type StrokeShape = Static<typeof StrokeShape>;
export type StrokePoint = [number, number];

/** One message of a stroke, the same both ways. */
export const StrokeFields = {
  /** The agent's number for the stroke: later messages with the same number continue it. */
  stroke: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
  shape: StrokeShape,
  points: Type.Array(Type.Tuple([PagePixel, PagePixel]), { minItems: 1, maxItems: GUIDE_STROKE_POINTS }),
  /** The agent lifted the pen: the stroke is complete and starts to fade. */
  end: Type.Boolean(),
};
