import { MODEL_HEIGHT, MODEL_WIDTH, type Segmenter } from './segmenter';

/* Draws one camera frame with its background blurred, on a canvas (`output`):
 *   1. the frame, shrunk to the model's 256x144, is segmented: the alpha of those pixels becomes the person mask;
 *   2. the background: the frame drawn small (a quarter of its size) through a blur filter, then scaled back up, which
 *      costs a fraction of blurring it at full size and looks the same once blurred;
 *   3. the person: the mask scaled up (smoothing softens its edges) with the sharp frame drawn into it (source-in),
 *      then over the background.
 * Everything is 2D canvas, no WebGL: it runs the same with or without a GPU. */

/** The background is blurred at this fraction of the frame's size. */
const BACKGROUND_SCALE = 4;
/** Blur radius at that size, in its pixels (about 16 px at full size). */
const BACKGROUND_BLUR = 'blur(4px)';
/** Softens the mask's edges at the model's size. */
const MASK_BLUR = 'blur(1px)';

function canvas(width: number, height: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

function context(c: HTMLCanvasElement, willReadFrequently = false): CanvasRenderingContext2D {
  const ctx = c.getContext('2d', { willReadFrequently });
  if (!ctx) throw new Error('2D canvas is not available');
  return ctx;
}

export class BlurPainter {
  /** Where each blurred frame is drawn. */
  readonly output: HTMLCanvasElement;
  private readonly outputCtx: CanvasRenderingContext2D;
  private readonly small = canvas(MODEL_WIDTH, MODEL_HEIGHT);
  private readonly smallCtx = context(this.small, true);
  private readonly mask = canvas(MODEL_WIDTH, MODEL_HEIGHT);
  private readonly maskCtx = context(this.mask);
  private readonly person: HTMLCanvasElement;
  private readonly personCtx: CanvasRenderingContext2D;
  private readonly background = canvas(1, 1);
  private readonly backgroundCtx = context(this.background);

  constructor(
    private readonly segmenter: Segmenter,
    width: number,
    height: number,
  ) {
    this.output = canvas(width, height);
    this.outputCtx = context(this.output);
    this.person = canvas(width, height);
    this.personCtx = context(this.person);
  }

  /** Draws `frame` (width x height) blurred on `output`; false for a frame with no size yet (nothing drawn). */
  paint(frame: CanvasImageSource, width: number, height: number): boolean {
    if (width === 0 || height === 0) return false;
    this.resize(width, height);
    const { smallCtx, maskCtx, backgroundCtx, background, personCtx, outputCtx } = this;

    smallCtx.drawImage(frame, 0, 0, MODEL_WIDTH, MODEL_HEIGHT);
    const pixels = smallCtx.getImageData(0, 0, MODEL_WIDTH, MODEL_HEIGHT);
    this.segmenter.segment(pixels.data);
    maskCtx.putImageData(pixels, 0, 0);

    backgroundCtx.filter = BACKGROUND_BLUR;
    backgroundCtx.drawImage(frame, 0, 0, background.width, background.height);

    personCtx.globalCompositeOperation = 'copy';
    personCtx.filter = MASK_BLUR;
    personCtx.drawImage(this.mask, 0, 0, width, height);
    personCtx.filter = 'none';
    personCtx.globalCompositeOperation = 'source-in';
    personCtx.drawImage(frame, 0, 0, width, height);

    outputCtx.globalCompositeOperation = 'copy';
    outputCtx.drawImage(background, 0, 0, width, height);
    outputCtx.globalCompositeOperation = 'source-over';
    outputCtx.drawImage(this.person, 0, 0);
    return true;
  }

  private resize(width: number, height: number): void {
    const { output, person, background } = this;
    if (output.width === width && output.height === height && background.width > 1) return;
    output.width = person.width = width;
    output.height = person.height = height;
    background.width = Math.max(1, Math.round(width / BACKGROUND_SCALE));
    background.height = Math.max(1, Math.round(height / BACKGROUND_SCALE));
  }
}
