/** Hands out short-lived byte buffers cut from shared slabs, for the relay's hot path.
 *
 * Why not `Buffer.allocUnsafe`: its pool is 8 KB and serves only requests under 4 KB, so it holds two SDP-sized
 * frames; most offers and answers then cost a fresh ArrayBuffer (malloc, an object, external-memory accounting that
 * brings the next scavenge forward). Measured in a tight loop: 1.5–2.3 µs to build a 3.7 KB relayed frame from the
 * pool, 0.56 µs from a 64 KB slab (docs/benchmarks.md).
 *
 * A slice is never handed out twice and a slab is never written again by this class once it moved on, so a slice
 * stays valid for as long as anyone holds it; the slab's memory is freed with its last slice. The cost is that one
 * long-held slice (a socket whose writes are stuck) keeps its whole slab alive: slabs are kept small for that. */
export class ByteSlab {
  private slab: Buffer;
  private used = 0;
  /** Requests above this get a buffer of their own, so a big one neither wastes a slab nor pins it. */
  private readonly largest: number;

  constructor(private readonly slabBytes: number) {
    if (!Number.isInteger(slabBytes) || slabBytes < 1024) throw new Error('a slab must be at least 1024 bytes');
    this.slab = Buffer.allocUnsafeSlow(slabBytes);
    this.largest = slabBytes >>> 2;
  }

  /** `length` uninitialised bytes that no other caller gets. */
  take(length: number): Buffer {
    if (length > this.largest) return Buffer.allocUnsafe(length);
    if (this.used + length > this.slabBytes) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.used = 0;
    }
    const slice = this.slab.subarray(this.used, this.used + length);
    this.used += length;
    return slice;
  }
}
