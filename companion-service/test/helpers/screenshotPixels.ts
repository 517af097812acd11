import type { Page } from 'playwright-core';

/* Pixels of a real screenshot: Chromium takes the PNG of the page as shown (shadow roots and overlays included), and
 * the same browser decodes it (createImageBitmap), so no image library is needed. */

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How many pixels of `region` (viewport CSS pixels) in a screenshot of the page are within `tolerance` of `rgb`. */
export async function pixelsOfColour(
  page: Page,
  region: Region,
  rgb: readonly [number, number, number],
  tolerance = 40,
): Promise<number> {
  const clip = {
    x: Math.max(0, Math.round(region.x)),
    y: Math.max(0, Math.round(region.y)),
    width: Math.round(region.width),
    height: Math.round(region.height),
  };
  const png = await page.screenshot({ clip, scale: 'css', animations: 'allow' });
  return page.evaluate(
    async ({ base64, rgb, tolerance }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      const [r, g, b] = rgb as [number, number, number];
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const near =
          Math.abs(data[i]! - r) <= tolerance &&
          Math.abs(data[i + 1]! - g) <= tolerance &&
          Math.abs(data[i + 2]! - b) <= tolerance;
        if (near) count++;
      }
      return count;
    },
    { base64: png.toString('base64'), rgb: [...rgb], tolerance },
  );
}
