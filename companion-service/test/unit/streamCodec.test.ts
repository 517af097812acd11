import { BatchAssembler, encodeBatch, PART_SIZE } from '../../web/cobrowse/streamCodec';

describe('the page stream codec', () => {
  it('sends small batches as plain JSON in one part', () => {
    const events = [{ type: 3, data: { source: 1 }, timestamp: 1 }];
    const parts = encodeBatch(events, 7, false);
    expect(parts).toEqual([
      { seq: 7, part: 0, parts: 1, snapshot: false, encoding: 'json', data: JSON.stringify(events) },
    ]);
    expect(new BatchAssembler().add(parts[0]!)).toEqual({ events, snapshot: false });
  });

  it('compresses and splits large batches, and reassembles them exactly', () => {
    // Incompressible-ish text so the result needs several parts.
    const noise = Array.from({ length: 3000 }, (_, i) => ({ id: i, text: Math.random().toString(36).repeat(3) }));
    const events = [{ type: 2, data: { node: { childNodes: noise } }, timestamp: 2 }];
    const parts = encodeBatch(events, 1, true);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.encoding === 'deflate-base64' && p.snapshot && p.data.length <= PART_SIZE)).toBe(true);
    const assembler = new BatchAssembler();
    const results = parts.map((p) => assembler.add(p));
    expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
    expect(results[results.length - 1]).toEqual({ events, snapshot: true });
  });

  it('shrinks a repetitive DOM snapshot a lot', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      type: 2,
      tagName: 'div',
      attributes: { class: 'row' },
      id: i,
    }));
    const json = JSON.stringify([{ type: 2, data: rows, timestamp: 0 }]);
    const encoded = encodeBatch([{ type: 2, data: rows, timestamp: 0 }], 0, true)
      .map((p) => p.data)
      .join('');
    expect(encoded.length).toBeLessThan(json.length / 5);
  });

  it('discards a batch that lost a part once the next batch starts', () => {
    const big = Array.from({ length: 3000 }, (_, i) => ({ id: i, text: Math.random().toString(36).repeat(3) }));
    const first = encodeBatch([big], 1, false);
    const second = encodeBatch([{ type: 3, timestamp: 5 }], 2, false);
    const assembler = new BatchAssembler();
    assembler.add(first[0]!); // the rest of batch 1 was dropped
    expect(assembler.add(second[0]!)).toEqual({ events: [{ type: 3, timestamp: 5 }], snapshot: false });
  });
});
