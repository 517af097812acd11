import { takeDocumentModes } from '../../web/cobrowse/replayedDocuments';

/* What the live view changes in a page stream before rrweb rebuilds it: every document's mode is taken out of rrweb's
 * hands (rrweb would write a doctype into a quirks-mode one, which the console's Trusted Types refuse) and kept on its
 * record for the view to set when it finishes loading it; nothing else. The modes themselves are checked in a real
 * browser (e2e quirksModePages, drawnContent). */

const doc = (compatMode: string, childNodes: unknown[] = []) => ({ type: 0, compatMode, childNodes, id: 1 });
const doctype = { type: 1, name: 'html', publicId: '-//W3C//DTD HTML 4.01 Transitional//EN', systemId: '', id: 2 };
const frameWith = (content: unknown) => ({ type: 2, tagName: 'iframe', attributes: {}, childNodes: [content], id: 3 });

describe('the live view taking the mode of each replayed document', () => {
  it('keeps the page\u2019s and its frames\u2019 modes, in a full snapshot, and tells rrweb they are standards', () => {
    const frameDoc = doc('BackCompat');
    const page = doc('CSS1Compat', [{ type: 2, tagName: 'html', attributes: {}, childNodes: [frameWith(frameDoc)] }]);
    takeDocumentModes({ type: 2, data: { node: page } });
    expect(page).toMatchObject({ compatMode: 'CSS1Compat', tandemQuirks: false });
    expect(frameDoc).toMatchObject({ compatMode: 'CSS1Compat', tandemQuirks: true });
  });

  it('does so for a frame document added later, and for a quirks mode set by a doctype of the page\u2019s own', () => {
    const added = doc('BackCompat', [doctype]);
    takeDocumentModes({ type: 3, data: { source: 0, adds: [{ parentId: 3, nextId: null, node: added }] } });
    expect(added).toMatchObject({ compatMode: 'CSS1Compat', tandemQuirks: true });
  });

  it('leaves other events as they are, and takes any shape the stream sends, however deep, without throwing', () => {
    const inInput = doc('BackCompat');
    takeDocumentModes({ type: 3, data: { source: 5, adds: [{ node: inInput }] } });
    expect(inInput).toEqual(doc('BackCompat'));
    let deep: unknown = doc('BackCompat');
    for (let i = 0; i < 200_000; i++) deep = { type: 2, tagName: 'div', childNodes: [deep] };
    for (const node of [deep, null, 'text', { childNodes: 'no' }, { childNodes: [null, 1, [], { childNodes: {} }] }])
      expect(() => takeDocumentModes({ type: 2, data: { node } })).not.toThrow();
    for (const adds of [null, 'x', [null, {}, { node: 7 }]])
      expect(() => takeDocumentModes({ type: 3, data: { source: 0, adds } })).not.toThrow();
  });
});
