/* The page the cobrowse benchmark shares: `elements` elements in all (sections of headings, paragraphs, lists,
 * tables and form fields, like a long account page), a form the scripted session fills in, one element the
 * benchmark mutates, and the widget's one script tag. Served by the benchmark from the service's own origin. */

export const MUTATION_TARGET_ID = 'bench-mutation-target';
export const LAST_ELEMENT_ID = 'bench-last';

/** Each section: section, h2, p, ul, 3 li, table, tbody, 2 tr, 4 td, label, input = 17 elements. */
const PER_SECTION = 17;
/** Outside the sections: html, head, meta, title, script, body, main, h1, p, the form's 14, the last div, and the
 * widget's host element. */
const FIXED = 25;

function section(i: number): string {
  return `<section><h2>Account section ${i}</h2><p>Statement line ${i}: balance carried forward and recent activity.</p>
<ul><li>Item ${i}.1</li><li>Item ${i}.2</li><li>Item ${i}.3</li></ul>
<table><tbody><tr><td>Date</td><td>2026-11-${(i % 28) + 1}</td></tr><tr><td>Amount</td><td>${(i * 7.31).toFixed(2)}</td></tr></tbody></table>
<label for="note-${i}">Note ${i}</label><input id="note-${i}" value="note ${i}"></section>`;
}

/** Remote control's round trip: a field the agent types into and a button whose clicks the page counts (the bench adds
 * the counting listener: the service's CSP allows no inline script). */
export const RC_FIELD_ID = 'rc-field';
export const RC_BUTTON_ID = 'rc-button';
export const RC_COUNT_ID = 'rc-count';

/** With Tandem's widget by default; `script` replaces its script tag, and the widget's host element is then stood in
 * for by an empty div (the floor's page in rrwebFloor.ts: the same elements, recorded by rrweb alone). */
export function benchPageHtml(elements: number, script?: string): string {
  const sections = Math.max(1, Math.ceil((elements - FIXED) / PER_SECTION));
  const body = Array.from({ length: sections }, (_, i) => section(i)).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cobrowse benchmark page</title>
${script === undefined ? '<script src="/widget.js" defer></script>' : `<script src="${script}"></script>`}</head>
<body><main><h1>Your accounts</h1>
<p id="${MUTATION_TARGET_ID}">unchanged</p>
<form id="bench-form"><label for="full-name">Full name</label><input id="full-name" autocomplete="off">
<label for="email">Email</label><input id="email" type="email" autocomplete="off">
<label for="topic">Topic</label><select id="topic"><option>Billing</option><option>Delivery</option><option>Other</option></select>
<label><input id="consent" type="checkbox"> Contact me</label>
<label for="message">Message</label><textarea id="message"></textarea></form>
<p><label for="${RC_FIELD_ID}">Typed by the agent</label><input id="${RC_FIELD_ID}" autocomplete="off">
<button id="${RC_BUTTON_ID}" type="button">Count</button> <span id="${RC_COUNT_ID}">0</span></p>
${body}
<div id="${LAST_ELEMENT_ID}">end of page</div></main>${script === undefined ? '' : '<div></div>'}</body></html>`;
}
