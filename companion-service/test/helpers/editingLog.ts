import type { Page } from 'playwright-core';

/* What happened to focus, the caret and the text on a page, step by step, for a remote-control failure to explain
 * itself: where the focus went, every selection change (with the focused field's own caret), each editing command,
 * Selection.modify and setSelectionRange with the caret before and after, and the events a person's input fires.
 * Recorded in the page, without round trips to the test, so it changes the page's timing as little as possible. */

const LOG_KEY = '__tandemEditingLog';
const MAX_LINES = 400;

/** Starts recording in every document the page loads from now on (call before the page is opened). */
export async function recordEditing(page: Page): Promise<void> {
  await page.addInitScript(
    ([key, maxLines]) => {
      const lines: string[] = [];
      (window as unknown as Record<string, string[]>)[key] = lines;
      const log = (line: string) => {
        lines.push(`${performance.now().toFixed(0)} ms ${line}`);
        if (lines.length > maxLines) lines.shift();
      };
      const name = (node: Node | null | undefined): string => {
        if (!node) return '-';
        if (node.nodeType === Node.TEXT_NODE) return `text "${(node.nodeValue ?? '').slice(0, 16)}"`;
        const el = node as Element;
        return `${el.localName ?? el.nodeName}${el.id ? `#${el.id}` : ''}${node.isConnected ? '' : ' (removed)'}`;
      };
      const caret = () => {
        const active = document.activeElement as HTMLInputElement | null;
        const range = active && 'selectionStart' in active ? ` [${active.selectionStart},${active.selectionEnd}]` : '';
        return `focus ${name(active)}${range}`;
      };
      document.addEventListener('selectionchange', () => {
        const s = document.getSelection();
        log(
          `selectionchange ${caret()}; document ${name(s?.anchorNode)}:${s?.anchorOffset}-${name(s?.focusNode)}:${s?.focusOffset}`,
        );
      });
      for (const type of ['focusin', 'focusout', 'pointerdown', 'click', 'dblclick', 'keydown', 'beforeinput', 'input'])
        document.addEventListener(
          type,
          (e) => {
            const detail = (e as KeyboardEvent).key ?? (e as InputEvent).data ?? '';
            log(`${type} on ${name(e.target as Node)} ${detail ? JSON.stringify(detail) : ''}; ${caret()}`);
          },
          true,
        );
      const execCommand = Document.prototype.execCommand;
      Document.prototype.execCommand = function (command: string, ui?: boolean, value?: string) {
        log(`execCommand ${command} ${JSON.stringify(value ?? '')}; ${caret()}`);
        return execCommand.call(this, command, ui, value);
      };
      const selection = Selection.prototype as Selection & { modify?: (...args: string[]) => void };
      const modify = selection.modify;
      if (modify)
        selection.modify = function (...args: string[]) {
          const before = caret();
          modify.apply(this, args);
          log(`Selection.modify ${args.join(' ')}; before ${before}; after ${caret()}`);
        };
      const setBaseAndExtent = Selection.prototype.setBaseAndExtent;
      Selection.prototype.setBaseAndExtent = function (anchor, anchorOffset, focus, focusOffset) {
        log(`setBaseAndExtent ${name(anchor)}:${anchorOffset}-${name(focus)}:${focusOffset}`);
        return setBaseAndExtent.call(this, anchor, anchorOffset, focus, focusOffset);
      };
      const setSelectionRange = HTMLInputElement.prototype.setSelectionRange;
      HTMLInputElement.prototype.setSelectionRange = function (start, end, direction) {
        log(`setSelectionRange ${name(this)} ${start},${end}`);
        return setSelectionRange.call(this, start, end, direction);
      };
    },
    [LOG_KEY, MAX_LINES] as const,
  );
}

/** Empties the page's record (e.g. before a step). */
export async function clearEditingLog(page: Page): Promise<void> {
  await page.evaluate((key) => (window as unknown as Record<string, string[]>)[key]?.splice(0), LOG_KEY);
}

/** The page's record so far, a line per entry (empty when the page has none). */
export async function editingLog(page: Page): Promise<string> {
  const lines = await page
    .evaluate((key) => (window as unknown as Record<string, string[] | undefined>)[key] ?? [], LOG_KEY)
    .catch(() => []);
  return lines.join('\n');
}
