import { loadServiceScript } from '../shared/serviceScript';

/* Person segmentation on the device: MediaPipe's selfie segmentation model (landscape, 256x144 input) run by a
 * TensorFlow Lite WebAssembly build, both as the npm package @twilio/video-processors ships them. The build copies
 * them under assets/ with content-hashed names (scripts/build-web.mjs) and tells this chunk their paths; they are
 * fetched from the service that served the page's scripts, never from a CDN. The SIMD build is tried first, the plain
 * one where WebAssembly SIMD is missing. */

/** The files, by role, as paths on the service (written into this chunk by the build). */
export interface SegmentationFiles {
  model: string;
  simdLoader: string;
  simdWasm: string;
  loader: string;
  wasm: string;
}

/** The Emscripten module's exports that the model needs. */
interface TFLiteModule {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  _getModelBufferMemoryOffset(): number;
  _loadModel(bytes: number): void;
  _getInputMemoryOffset(): number;
  _getInputWidth(): number;
  _getInputHeight(): number;
  _getOutputMemoryOffset(): number;
  _runInference(): void;
}

type ModuleFactory = (options: { locateFile(file: string): string }) => Promise<TFLiteModule>;

/** The model's input size. */
export const MODEL_WIDTH = 256;
export const MODEL_HEIGHT = 144;

export class Segmenter {
  private constructor(private readonly tflite: TFLiteModule) {}

  /** Loads the runtime and the model from the service. */
  static async load(serviceOrigin: string, files: SegmentationFiles): Promise<Segmenter> {
    const url = (p: string) => new URL(p, serviceOrigin).toString();
    const [tflite, model] = await Promise.all([
      startRuntime(serviceOrigin, url(files.simdLoader), 'createTwilioTFLiteSIMDModule', url(files.simdWasm)).catch(
        () => startRuntime(serviceOrigin, url(files.loader), 'createTwilioTFLiteModule', url(files.wasm)),
      ),
      fetch(url(files.model), { credentials: 'omit' }).then((r) => {
        if (!r.ok) throw new Error(`the segmentation model could not be loaded (${r.status})`);
        return r.arrayBuffer();
      }),
    ]);
    tflite.HEAPU8.set(new Uint8Array(model), tflite._getModelBufferMemoryOffset());
    tflite._loadModel(model.byteLength);
    if (tflite._getInputWidth() !== MODEL_WIDTH || tflite._getInputHeight() !== MODEL_HEIGHT)
      throw new Error('the segmentation model has an unexpected input size');
    return new Segmenter(tflite);
  }

  /** Writes into `pixels` (MODEL_WIDTH x MODEL_HEIGHT, RGBA) the probability that each pixel shows a person, as its
   * alpha (0 = background, 255 = person); the colours are left as they are. */
  segment(pixels: Uint8ClampedArray): void {
    const { tflite } = this;
    const count = MODEL_WIDTH * MODEL_HEIGHT;
    const heap = tflite.HEAPF32;
    const input = tflite._getInputMemoryOffset() / 4;
    for (let i = 0, j = input, k = 0; i < count; i++, j += 3, k += 4) {
      heap[j] = pixels[k]! / 255;
      heap[j + 1] = pixels[k + 1]! / 255;
      heap[j + 2] = pixels[k + 2]! / 255;
    }
    tflite._runInference();
    const output = tflite._getOutputMemoryOffset() / 4;
    for (let i = 0; i < count; i++) pixels[i * 4 + 3] = heap[output + i]! * 255;
  }
}

/** Adds the Emscripten loader script (once) and instantiates its module with the WebAssembly file at `wasm`. */
async function startRuntime(
  serviceOrigin: string,
  loader: string,
  factoryName: string,
  wasm: string,
): Promise<TFLiteModule> {
  const factory = await loadServiceScript(
    loader,
    serviceOrigin,
    'the segmentation runtime',
    () => (window as unknown as Record<string, ModuleFactory | undefined>)[factoryName],
  );
  return factory({ locateFile: () => wasm });
}
