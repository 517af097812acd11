/** Builds an element with attributes and children. Text is always set as text, never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

export function show(node: HTMLElement, visible: boolean): void {
  node.hidden = !visible;
}

/** A video element for a MediaStream; local previews are muted so the user does not hear themselves. */
export function videoFor(stream: MediaStream, label: string, muted: boolean): HTMLVideoElement {
  const video = el('video', { autoplay: true, playsinline: true, 'aria-label': label });
  video.muted = muted;
  video.srcObject = stream;
  return video;
}
