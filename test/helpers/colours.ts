/**
 * Colours of browser screenshots for the client tests: PNGs decoded by Chromium itself (no image library), counted
 * per colour, and compared with the palette's colours as MapLibre composites them (fill-opacity over a background).
 */
import type { Page } from 'playwright-core';

export type RGB = [number, number, number];

export const WHITE: RGB = [255, 255, 255];

/** The colours of a PNG ("r,g,b" → pixels), decoded in the page without colour-space conversion. */
export async function pngColours(page: Page, png: Buffer): Promise<Map<string, number>> {
  const counts = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const canvas = new OffscreenCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(image, 0, 0);
    const data = ctx.getImageData(0, 0, image.width, image.height).data;
    const out: Record<string, number> = {};
    for (let i = 0; i < data.length; i += 4) {
      const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }, png.toString('base64'));
  return new Map(Object.entries(counts));
}

export function totalPixels(colours: Map<string, number>): number {
  let n = 0;
  for (const c of colours.values()) n += c;
  return n;
}

/** Share of the pixels within `tolerance` (per channel) of a colour, rounded to 4 decimals. */
export function colourShare(colours: Map<string, number>, rgb: RGB, tolerance: number): number {
  let n = 0;
  for (const [key, count] of colours) {
    const c = key.split(',').map(Number);
    if (c.every((v, k) => Math.abs(v - rgb[k]) <= tolerance)) n += count;
  }
  return Math.round((n / totalPixels(colours)) * 10_000) / 10_000;
}

/** A colour drawn with `alpha` over `base`. */
export function blend(base: RGB, rgb: RGB, alpha: number): RGB {
  return [0, 1, 2].map((k) => Math.round(alpha * rgb[k] + (1 - alpha) * base[k])) as RGB;
}

export function rgbOf(hex: string): RGB {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as RGB;
}
