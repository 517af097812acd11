/* The parts of rrweb's recorded events that the recorder rewrites before they are sent (frameSources.ts,
 * shadowRootMasking.ts): serialized nodes, in a full snapshot or added by a mutation, a mutation's changed texts and
 * attributes, and a field's input; and the focus changes the live view leaves out (viewer.ts). */

export interface SerializedNode {
  id: number;
  /** rrweb's NodeType: ELEMENT_NODE or TEXT_NODE here. */
  type: number;
  /** An element's tag name, lower case. */
  tagName?: string;
  attributes?: Record<string, unknown>;
  textContent?: string;
  /** rrweb's mark on a node right inside a shadow root. */
  isShadow?: boolean;
  childNodes?: SerializedNode[];
}

export interface MutationData {
  adds?: Array<{ node?: SerializedNode }>;
  texts?: Array<{ id: number; value: string | null }>;
  attributes?: Array<{ id?: number; attributes?: Record<string, unknown> }>;
}

/** rrweb's NodeType.Element. */
export const ELEMENT_NODE = 2;
/** rrweb's NodeType.Text. */
export const TEXT_NODE = 3;

const FULL_SNAPSHOT = 2;
const INCREMENTAL = 3;
const MUTATION = 0;
const MOUSE_INTERACTION = 2;
const INPUT = 5;
/** MouseInteraction's Focus and Blur. */
const FOCUS_OR_BLUR: ReadonlySet<unknown> = new Set([5, 6]);

/** Whether the event is an element of the page taking or losing focus. */
export function isFocusOrBlur(event: { type: number; data?: unknown }): boolean {
  const data = event.data as { source?: unknown; type?: unknown } | undefined;
  return event.type === INCREMENTAL && data?.source === MOUSE_INTERACTION && FOCUS_OR_BLUR.has(data.type);
}

/** The event's mutation, if it is one. */
export function mutationOf(event: { type: number; data?: unknown }): MutationData | undefined {
  const data = event.data as ({ source?: number } & MutationData) | undefined;
  return event.type === INCREMENTAL && data?.source === MUTATION ? data : undefined;
}

/** The event's input (a field's new value), if it is one. */
export function inputOf(event: { type: number; data?: unknown }): { id: number; text?: string } | undefined {
  const data = event.data as { source?: number; id?: number; text?: string } | undefined;
  return event.type === INCREMENTAL && data?.source === INPUT && typeof data.id === 'number'
    ? (data as { id: number; text?: string })
    : undefined;
}

/** Calls `visit` for every serialized node of the event: a full snapshot's whole tree, or the subtrees a mutation adds. */
export function forEachNode(event: { type: number; data?: unknown }, visit: (node: SerializedNode) => void): void {
  const roots =
    event.type === FULL_SNAPSHOT
      ? [(event.data as { node?: SerializedNode } | undefined)?.node]
      : (mutationOf(event)?.adds ?? []).map((add) => add.node);
  const stack = roots.filter((node): node is SerializedNode => !!node);
  for (let node = stack.pop(); node; node = stack.pop()) {
    visit(node);
    if (node.childNodes) for (const child of node.childNodes) stack.push(child);
  }
}
