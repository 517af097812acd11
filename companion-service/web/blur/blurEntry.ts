import { BLUR_ABI, BLUR_GLOBAL, type BlurEntry } from '../shared/blur/blurLink';
import { blurCamera } from './blurredCamera';
import { Segmenter, type SegmentationFiles } from './segmenter';

/* The background-blur chunk's entry (built as assets/background-blur-<hash>.js), loaded by a page only when blur is
 * turned on (shared/blur/loadBlur.ts). It hands the page its entry through a global and does nothing else until
 * the page calls blur(). */

/** Written by the build: the model and runtime files' paths on the service. */
declare const __TANDEM_SEGMENTATION_FILES__: SegmentationFiles;

let segmenter: Promise<Segmenter> | undefined;

const entry: BlurEntry = {
  abi: BLUR_ABI,
  async blur(camera, options) {
    segmenter ??= Segmenter.load(options.serviceOrigin, __TANDEM_SEGMENTATION_FILES__).catch((err: unknown) => {
      segmenter = undefined; // a later try loads again
      throw err;
    });
    return blurCamera(camera, await segmenter, options);
  },
};

(window as unknown as Record<string, BlurEntry>)[BLUR_GLOBAL] = entry;
