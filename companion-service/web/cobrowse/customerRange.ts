/* The customer's selection of page text outside fields (a word in an editor, a paragraph), as the live view last knew
 * it: replayed from the page's recording (rrweb's selection events, which the Replayer also applies to the view) or
 * sent by the agent. When the view's selection changes to that range, the replay is showing the customer's selection;
 * the agent did not make it. Sent back, it would reach the customer's page after the page had moved on and select
 * text there again: an agent who double-clicked a word and typed over it saw their second letter replace the first
 * and the rest of the word ("Hi" over "Hello there" gave "ire"). While the agent's caret is in a field of the view,
 * the customer's selection is not shown at all (viewer.ts, keepAgentCaret). */

/** A selection as the remote-control action names it: rrweb node ids and offsets, anchor and focus. */
export interface TextRange {
  anchorNodeId: number;
  anchorOffset: number;
  focusNodeId: number;
  focusOffset: number;
}

/** rrweb's IncrementalSource.Selection: the page's selection changed; `ranges` in document order. */
const SELECTION_SOURCE = 14;

interface SelectionEvent {
  type: number;
  data?: { source?: unknown; ranges?: unknown };
}

const isSelectionEvent = (event: SelectionEvent): boolean =>
  event.type === 3 && event.data?.source === SELECTION_SOURCE;

interface RecordedRange {
  start: number;
  startOffset: number;
  end: number;
  endOffset: number;
}

const isRecordedRange = (value: unknown): value is RecordedRange => {
  const r = value as Partial<RecordedRange> | null;
  return (
    !!r &&
    [r.start, r.startOffset, r.end, r.endOffset].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)
  );
};

export class CustomerRange {
  private known: TextRange | undefined;

  /** An event the replay played (its selection shown in the view or not): a selection event says what the page's
   * selection now is. */
  replayed(event: SelectionEvent): void {
    if (!isSelectionEvent(event) || !Array.isArray(event.data?.ranges)) return;
    const [range] = event.data.ranges;
    this.known = isRecordedRange(range)
      ? {
          anchorNodeId: range.start,
          anchorOffset: range.startOffset,
          focusNodeId: range.end,
          focusOffset: range.endOffset,
        }
      : undefined;
  }

  /** The agent's selection is on its way to the page. */
  sent(range: TextRange): void {
    this.known = range;
  }

  /** Whether the customer's page has this range already (in either direction). */
  has(range: TextRange): boolean {
    const known = this.known;
    if (!known) return false;
    const same = (aId: number, aOffset: number, bId: number, bOffset: number) =>
      known.anchorNodeId === aId &&
      known.anchorOffset === aOffset &&
      known.focusNodeId === bId &&
      known.focusOffset === bOffset;
    return (
      same(range.anchorNodeId, range.anchorOffset, range.focusNodeId, range.focusOffset) ||
      same(range.focusNodeId, range.focusOffset, range.anchorNodeId, range.anchorOffset)
    );
  }
}
