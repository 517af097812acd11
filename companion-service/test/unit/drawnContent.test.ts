import { mayAddCanvas } from '../../web/cobrowse/drawnContent';

/* Which events of the page stream make the live view look for canvases to label. The labelling itself is tested in a
 * real browser (e2e drawnContent). */

const element = (tagName: string, childNodes: unknown[] = []) => ({ type: 2, tagName, attributes: {}, childNodes });

describe('the live view looking for drawings to label', () => {
  it('looks after a full snapshot and after a change that adds a canvas, alone or inside a frame\u2019s document', () => {
    expect(mayAddCanvas({ type: 2, data: {} })).toBe(true);
    expect(mayAddCanvas({ type: 3, data: { source: 0, adds: [{ node: element('canvas') }] } })).toBe(true);
    const frameDocument = { type: 0, childNodes: [element('html', [element('body', [element('canvas')])])] };
    expect(mayAddCanvas({ type: 3, data: { source: 0, adds: [{ node: frameDocument }] } })).toBe(true);
  });

  it('does not look for other changes, other events, or what is not rrweb\u2019s', () => {
    expect(mayAddCanvas({ type: 3, data: { source: 0, adds: [{ node: element('div') }] } })).toBe(false);
    expect(mayAddCanvas({ type: 3, data: { source: 0, adds: [] } })).toBe(false);
    expect(mayAddCanvas({ type: 3, data: { source: 2, adds: [{ node: element('canvas') }] } })).toBe(false);
    expect(mayAddCanvas({ type: 5, data: {} })).toBe(false);
    for (const adds of [null, 'x', [null, 7, { node: 'canvas' }, { node: { tagName: 'canvas', type: 3 } }]])
      expect(mayAddCanvas({ type: 3, data: { source: 0, adds } })).toBe(false);
    let deep: unknown = element('canvas');
    for (let i = 0; i < 200_000; i++) deep = element('div', [deep]);
    expect(mayAddCanvas({ type: 3, data: { source: 0, adds: [{ node: deep }] } })).toBe(true);
  });
});
