import { CustomerRange } from '../../web/cobrowse/customerRange';

/* The live view tells the customer's own selection, shown by the replay, from one the agent makes (customerRange.ts).
 * The e2e remoteControlRichText types over a double-clicked word in Quill and ProseMirror through the view. */

const selectionEvent = (ranges: unknown) => ({ type: 3, timestamp: 1, data: { source: 14, ranges } });
const word = { anchorNodeId: 7, anchorOffset: 0, focusNodeId: 7, focusOffset: 5 };

describe("the customer's selection of page text, as the live view knows it", () => {
  it('is what the replay last applied: either direction of the same range is the same selection', () => {
    const range = new CustomerRange();
    expect(range.has(word)).toBe(false);
    range.replayed(selectionEvent([{ start: 7, startOffset: 0, end: 7, endOffset: 5 }]));
    expect(range.has(word)).toBe(true);
    expect(range.has({ anchorNodeId: 7, anchorOffset: 5, focusNodeId: 7, focusOffset: 0 })).toBe(true);
    // Another word, or the same word in another node, is the agent's.
    expect(range.has({ ...word, focusOffset: 4 })).toBe(false);
    expect(range.has({ ...word, anchorNodeId: 8, focusNodeId: 8 })).toBe(false);
    // Across nodes.
    range.replayed(selectionEvent([{ start: 3, startOffset: 2, end: 9, endOffset: 1 }]));
    expect(range.has({ anchorNodeId: 9, anchorOffset: 1, focusNodeId: 3, focusOffset: 2 })).toBe(true);
    expect(range.has(word)).toBe(false);
  });

  it("is the agent's once sent, until the page says otherwise", () => {
    const range = new CustomerRange();
    range.sent(word);
    expect(range.has(word)).toBe(true);
    // The page's caret after typing over it (collapsed, at 1).
    range.replayed(selectionEvent([{ start: 7, startOffset: 1, end: 7, endOffset: 1 }]));
    expect(range.has(word)).toBe(false);
  });

  it('is none when the page has no selection, or the event is not a selection or not in its shape', () => {
    const range = new CustomerRange();
    range.replayed(selectionEvent([{ start: 7, startOffset: 0, end: 7, endOffset: 5 }]));
    // Other events change nothing.
    range.replayed({ type: 3, data: { source: 2, ranges: [] } });
    range.replayed({ type: 2, data: {} });
    expect(range.has(word)).toBe(true);
    range.replayed(selectionEvent([]));
    expect(range.has(word)).toBe(false);
    range.replayed(selectionEvent([{ start: 7, startOffset: 0, end: 7, endOffset: 5 }]));
    for (const bad of [
      [{ start: '7', startOffset: 0, end: 7, endOffset: 5 }],
      [{ start: 7, startOffset: -1, end: 7, endOffset: 5 }],
      [{ start: 7, startOffset: 0.5, end: 7, endOffset: 5 }],
      [null],
    ]) {
      range.replayed(selectionEvent(bad));
      expect({ bad, known: range.has(word) }).toEqual({ bad, known: false });
    }
    // Not a list of ranges: left out, as the replay leaves it out.
    range.replayed(selectionEvent([{ start: 7, startOffset: 0, end: 7, endOffset: 5 }]));
    range.replayed(selectionEvent('not a list'));
    expect(range.has(word)).toBe(true);
  });
});
