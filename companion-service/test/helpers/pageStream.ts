import type { Page } from 'playwright-core';
import { BatchAssembler, type StreamPart } from '../../web/cobrowse/streamCodec';
import type { TestClient } from './wsClient';

/** The page stream an agent received, decoded: its batches of rrweb events, and all of them as one text to search.
 * `messages`: the agent's socket messages, as text or parsed; other messages than `cobrowse.events` are skipped. */
export function decodePageStream(messages: ReadonlyArray<string | { type: string }>): {
  batches: Array<{ snapshot: boolean; events: unknown[] }>;
  text: string;
} {
  const assembler = new BatchAssembler();
  const batches: Array<{ snapshot: boolean; events: unknown[] }> = [];
  for (const raw of messages) {
    const message = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { type: string } & StreamPart;
    if (message.type !== 'cobrowse.events') continue;
    const batch = assembler.add(message);
    if (batch) batches.push(batch);
  }
  return { batches, text: batches.map((b) => JSON.stringify(b.events)).join('\n') };
}

/** Every frame the page sends on any WebSocket, recorded from before the page opens its sockets. */
export function recordSentFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (frame) =>
      frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')),
    ),
  );
  return frames;
}

/** A customer's raw socket sends rrweb events as its page stream, as the widget would: one batch, JSON, in one part. */
export function sendPageBatch(visitor: TestClient, seq: number, events: unknown[], snapshot: boolean): void {
  visitor.send({
    type: 'cobrowse.events',
    seq,
    part: 0,
    parts: 1,
    snapshot,
    encoding: 'json',
    data: JSON.stringify(events),
  });
}

/** Builds rrweb's serialized nodes for a page a raw socket sends, each with its own id. */
export function serializedNodes() {
  let nextId = 1;
  const el = (tagName: string, attributes: Record<string, string> = {}, childNodes: unknown[] = [], isSVG = false) => ({
    type: 2,
    tagName,
    attributes,
    childNodes,
    id: nextId++,
    ...(isSVG && { isSVG: true }),
  });
  const text = (textContent: string) => ({ type: 3, textContent, id: nextId++ });
  /** The document around an html element, with its doctype. */
  const documentOf = (html: unknown) => ({
    type: 0,
    childNodes: [{ type: 1, name: 'html', publicId: '', systemId: '', id: nextId++ }, html],
    id: nextId++,
  });
  return { el, text, documentOf };
}
