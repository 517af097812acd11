import {
  boxAtCorner,
  clampToViewport,
  cornerForBox,
  cornerForPoint,
  cornerInsets,
  CORNERS,
  describeCorner,
  nudge,
  parseCorner,
  type Corner,
} from '../../web/widget/corners';

const viewport = { width: 1280, height: 720 };
const size = { width: 320, height: 400 };

describe('which corner a dropped widget snaps to', () => {
  it.each<[string, { x: number; y: number }, Corner]>([
    ['top-left quadrant', { x: 100, y: 50 }, 'top-left'],
    ['top-right quadrant', { x: 900, y: 50 }, 'top-right'],
    ['bottom-left quadrant', { x: 100, y: 400 }, 'bottom-left'],
    ['bottom-right quadrant', { x: 900, y: 400 }, 'bottom-right'],
  ])('centre in the %s', (_name, at, corner) => {
    // Centres: (260, 250), (1060, 250), (260, 600), (1060, 600).
    expect(cornerForBox({ ...at, ...size }, viewport)).toBe(corner);
  });

  it('goes by the centre of the box, not by its top-left edge', () => {
    // Top-left edge in the top-left quadrant, but the centre (700, 420) is bottom-right.
    expect(cornerForBox({ x: 540, y: 220, ...size }, viewport)).toBe('bottom-right');
    // Top-left edge off screen to the left: the centre (60, 100) still decides.
    expect(cornerForBox({ x: -100, y: -100, ...size }, viewport)).toBe('top-left');
  });

  it('puts a centre exactly on a middle line in the right or bottom half', () => {
    expect(cornerForPoint({ x: 640, y: 100 }, viewport)).toBe('top-right');
    expect(cornerForPoint({ x: 100, y: 360 }, viewport)).toBe('bottom-left');
    expect(cornerForPoint({ x: 640, y: 360 }, viewport)).toBe('bottom-right');
    expect(cornerForPoint({ x: 639.9, y: 359.9 }, viewport)).toBe('top-left');
  });

  it('works for a viewport of any shape', () => {
    const tall = { width: 375, height: 812 };
    expect(cornerForPoint({ x: 180, y: 400 }, tall)).toBe('top-left');
    expect(cornerForPoint({ x: 200, y: 420 }, tall)).toBe('bottom-right');
  });
});

describe('where a corner is', () => {
  it('pins the two edges of the corner, 16 px from the viewport edges by default', () => {
    expect(cornerInsets('top-left')).toEqual({ top: 16, left: 16 });
    expect(cornerInsets('top-right')).toEqual({ top: 16, right: 16 });
    expect(cornerInsets('bottom-left')).toEqual({ bottom: 16, left: 16 });
    expect(cornerInsets('bottom-right', 8)).toEqual({ bottom: 8, right: 8 });
  });

  it('gives the box the widget occupies in each corner, which snaps back to that same corner', () => {
    expect(boxAtCorner('top-left', size, viewport)).toEqual({ x: 16, y: 16, ...size });
    expect(boxAtCorner('top-right', size, viewport)).toEqual({ x: 944, y: 16, ...size });
    expect(boxAtCorner('bottom-left', size, viewport)).toEqual({ x: 16, y: 304, ...size });
    expect(boxAtCorner('bottom-right', size, viewport)).toEqual({ x: 944, y: 304, ...size });
    for (const corner of CORNERS) expect(cornerForBox(boxAtCorner(corner, size, viewport), viewport)).toBe(corner);
  });
});

describe('moving', () => {
  it('moves 20 px (or any step) per arrow key', () => {
    const at = { x: 100, y: 100 };
    expect(nudge(at, 'ArrowUp', 20)).toEqual({ x: 100, y: 80 });
    expect(nudge(at, 'ArrowDown', 20)).toEqual({ x: 100, y: 120 });
    expect(nudge(at, 'ArrowLeft', 20)).toEqual({ x: 80, y: 100 });
    expect(nudge(at, 'ArrowRight', 100)).toEqual({ x: 200, y: 100 });
  });

  it('keeps the box inside the viewport', () => {
    expect(clampToViewport({ x: -50, y: -5 }, size, viewport)).toEqual({ x: 0, y: 0 });
    expect(clampToViewport({ x: 1200, y: 700 }, size, viewport)).toEqual({ x: 960, y: 320 });
    expect(clampToViewport({ x: 500, y: 200 }, size, viewport)).toEqual({ x: 500, y: 200 });
    // Larger than the viewport: the top-left edge stays visible.
    expect(clampToViewport({ x: 30, y: 30 }, { width: 2000, height: 1000 }, viewport)).toEqual({ x: 0, y: 0 });
  });
});

describe('remembered corners', () => {
  it('accepts only the four corner names', () => {
    for (const corner of CORNERS) expect(parseCorner(corner)).toBe(corner);
    for (const bad of [null, undefined, '', 'middle', 'TOP-LEFT', '{"corner":"top-left"}', 42])
      expect(parseCorner(bad)).toBeUndefined();
  });

  it('describes a corner in words for announcements', () => {
    expect(describeCorner('bottom-left')).toBe('bottom left');
    expect(describeCorner('top-right')).toBe('top right');
  });
});
