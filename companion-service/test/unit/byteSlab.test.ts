import { ByteSlab } from '../../src/protocol/byteSlab';

describe('ByteSlab', () => {
  it('hands out slices that never overlap, across slabs, and never rewrites one it handed out', () => {
    const slab = new ByteSlab(1024);
    const taken: Array<{ bytes: Buffer; fill: number }> = [];
    for (let i = 0; i < 200; i++) {
      const bytes = slab.take(1 + ((i * 37) % 250));
      bytes.fill(i % 256);
      taken.push({ bytes, fill: i % 256 });
    }
    // Each slice still holds what was written into it, so no later slice shared its bytes.
    for (const { bytes, fill } of taken) expect(bytes.every((b) => b === fill)).toBe(true);
    // More than one slab was used (200 slices of up to 250 bytes cannot fit in 1 KB).
    expect(new Set(taken.map(({ bytes }) => bytes.buffer)).size).toBeGreaterThan(10);
  });

  it('gives a large request a buffer of its own', () => {
    const slab = new ByteSlab(4096);
    const small = slab.take(100);
    const large = slab.take(2000);
    expect(large.length).toBe(2000);
    expect(large.buffer).not.toBe(small.buffer);
    expect(slab.take(100).buffer).toBe(small.buffer);
  });

  it('refuses a slab too small to be useful', () => {
    expect(() => new ByteSlab(16)).toThrow('at least 1024 bytes');
  });
});
