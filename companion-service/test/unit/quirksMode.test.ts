import { rebuildInStandardsMode } from '../../web/cobrowse/quirksMode';

/* What the live view changes in a page stream before rrweb rebuilds it: quirks-mode documents without a doctype of
 * their own (rrweb would write one in, which the console's Trusted Types refuse); nothing else. */

const doc = (compatMode: string, childNodes: unknown[] = []) => ({ type: 0, compatMode, childNodes, id: 1 });
const doctype = { type: 1, name: 'html', publicId: '-//W3C//DTD HTML 4.01 Transitional//EN', systemId: '', id: 2 };
const frameWith = (content: unknown) => ({ type: 2, tagName: 'iframe', attributes: {}, childNodes: [content], id: 3 });

describe('rebuilding quirks-mode documents in standards mode', () => {
  it('marks the page and the frames in it, in a full snapshot', () => {
    const frameDoc = doc('BackCompat');
    const page = doc('BackCompat', [{ type: 2, tagName: 'html', attributes: {}, childNodes: [frameWith(frameDoc)] }]);
    rebuildInStandardsMode({ type: 2, data: { node: page } });
    expect([page.compatMode, frameDoc.compatMode]).toEqual(['CSS1Compat', 'CSS1Compat']);
  });

  it('marks a frame document added later, as a mutation', () => {
    const added = doc('BackCompat');
    rebuildInStandardsMode({ type: 3, data: { source: 0, adds: [{ parentId: 3, nextId: null, node: added }] } });
    expect(added.compatMode).toBe('CSS1Compat');
  });

  it('leaves documents with a doctype of their own, standards-mode ones and other events as they are', () => {
    const quirkyDoctype = doc('BackCompat', [doctype]);
    rebuildInStandardsMode({ type: 2, data: { node: quirkyDoctype } });
    expect(quirkyDoctype.compatMode).toBe('BackCompat');
    const inInput = doc('BackCompat');
    rebuildInStandardsMode({ type: 3, data: { source: 5, adds: [{ node: inInput }] } });
    expect(inInput.compatMode).toBe('BackCompat');
  });

  it('takes any shape the stream sends, however deep, without throwing', () => {
    let deep: unknown = doc('BackCompat');
    for (let i = 0; i < 200_000; i++) deep = { type: 2, tagName: 'div', childNodes: [deep] };
    for (const node of [deep, null, 'text', { childNodes: 'no' }, { childNodes: [null, 1, [], { childNodes: {} }] }])
      expect(() => rebuildInStandardsMode({ type: 2, data: { node } })).not.toThrow();
    for (const adds of [null, 'x', [null, {}, { node: 7 }]])
      expect(() => rebuildInStandardsMode({ type: 3, data: { source: 0, adds } })).not.toThrow();
  });
});
