/** Guiding's bounds as plain constants, so that browser bundles can use them without the schema library. */

/** The largest page coordinate (in the visitor's document pixels) a drawing may name. */
export const GUIDE_COORDINATE_MAX = 200_000;
/** Points per `guide.stroke` message: the agent's side batches a stroke's points into messages of at most this. */
export const GUIDE_STROKE_POINTS = 64;
