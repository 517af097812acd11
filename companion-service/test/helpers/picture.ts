import type { Locator } from 'playwright-core';

/* What a <video> element shows, measured from its current frame drawn into a canvas: for blur (the picture loses
 * detail) and for a live picture (not blank, and changing). */

/** High-frequency content of what a <video> shows: the mean squared difference between neighbouring pixels'
 * brightness, over the whole frame as drawn into a canvas. Blur spreads each edge over several pixels, which divides
 * this by about their number (the mean absolute difference would stay the same). The fake camera draws a shape with
 * sharp edges on a plain background; Firefox's, a little text on a plain colour. */
export function sharpness(video: Locator): Promise<number> {
  return video.evaluate((v) => {
    const el = v as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = el.videoWidth;
    canvas.height = el.videoHeight;
    if (!canvas.width || !canvas.height) return 0;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(el, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const gray = (i: number) => 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    let sum = 0;
    let n = 0;
    for (let y = 0; y < height - 1; y++) {
      for (let x = 0; x < width - 1; x++) {
        const i = (y * width + x) * 4;
        const g = gray(i);
        sum += (gray(i + 4) - g) ** 2 + (gray(i + width * 4) - g) ** 2;
        n += 2;
      }
    }
    return sum / n;
  });
}

/** The mean colour of what a <video> shows, each channel 0-255 (zeros before its first frame). */
export function meanColour(video: Locator): Promise<[number, number, number]> {
  return video.evaluate((v) => {
    const el = v as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = el.videoWidth;
    canvas.height = el.videoHeight;
    if (!canvas.width || !canvas.height) return [0, 0, 0] as [number, number, number];
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(el, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const sum = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += data[i + c]!;
    const pixels = data.length / 4;
    return sum.map((x) => x / pixels) as [number, number, number];
  });
}
