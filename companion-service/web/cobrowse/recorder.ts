import { record } from '@rrweb/record';
import { dropFrameSources } from './frameSources';
import { maskAcrossShadowRoots } from './shadowRootMasking';
import { encodeBatch, type StreamPart } from './streamCodec';
import type { Masking } from './masking';

/* The visitor's recorder: rrweb record with masking, compressed and split by streamCodec. Events go out at the end
 * of the task that produced them, so a lone change reaches the agent at once, but never more than one batch per
 * BATCH_MS, so a busy page costs few messages (the socket's message rate is limited). A full snapshot goes out
 * at once. */

const BATCH_MS = 50;

export interface RecorderHandle {
  /** A fresh full snapshot: an agent joined late, or fell behind. */
  snapshot(): void;
  nodeFor(id: number): Node | null;
  /** The node's id in the recording (0 or less when it isn't recorded, e.g. blocked). */
  idOf(node: Node): number;
  /** Sends what is pending now, without waiting for the batch interval (after a remote-control action, whose effect
   * the agent is waiting to see). */
  flushSoon(): void;
  /** Adds an event of Tandem's own to the stream (rrweb's custom event), for the live view to act on. */
  addCustomEvent(tag: string, payload: unknown): void;
  stop(): void;
}

export function startRecorder(masking: Masking, send: (part: StreamPart) => void): RecorderHandle {
  let pending: unknown[] = [];
  let pendingSnapshot = false;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastFlushAt = -Infinity;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    lastFlushAt = performance.now();
    for (const part of encodeBatch(pending, seq++, pendingSnapshot)) send(part);
    pending = [];
    pendingSnapshot = false;
  };

  const nodeFor = (id: number) => record.mirror.getNode(id) as Node | null;

  const stop = record({
    ...masking.recordOptions,
    // Full snapshot (type 2) starts a new batch so the viewer can start from it.
    emit(event: { type: number }) {
      dropFrameSources(event);
      maskAcrossShadowRoots(event, nodeFor, masking.isMasked);
      if (event.type === 4 /* Meta */ || event.type === 2 /* FullSnapshot */) {
        if (event.type === 4) flush();
        pendingSnapshot = true;
      }
      pending.push(event);
      if (event.type === 2) flush();
      else timer ??= setTimeout(flush, Math.max(0, lastFlushAt + BATCH_MS - performance.now()));
    },
    // Every keystroke reaches the agent (rrweb's input: 'last' would wait for the field's change event).
    sampling: { mousemove: 50, scroll: 100 },
    inlineStylesheet: true,
    recordCanvas: false,
    collectFonts: false,
  });

  return {
    snapshot: () => record.takeFullSnapshot(true),
    nodeFor,
    idOf: (node) => record.mirror.getId(node as never),
    // A task later: the page's mutations from the action have reached rrweb by then (its observer runs as a microtask).
    flushSoon: () => void setTimeout(flush, 0),
    addCustomEvent: (tag, payload) => record.addCustomEvent(tag, payload),
    stop: () => {
      flush();
      clearTimeout(timer);
      stop?.();
    },
  };
}
