import { dropFrameSources } from '../../web/cobrowse/frameSources';

/* rrweb events as the recorder emits them: a frame's srcdoc (its page as raw HTML, which masking never sees) is
 * dropped wherever it appears, a frame from another site keeps only its origin, and nothing else changes. */

const frame = (srcdoc: string) => ({
  type: 2,
  tagName: 'iframe',
  id: 30,
  attributes: { id: 'notes', srcdoc },
  childNodes: [],
});

describe('dropFrameSources', () => {
  it('drops srcdoc from a full snapshot, however deep the frame is', () => {
    const event = {
      type: 2,
      data: {
        node: {
          type: 0,
          id: 1,
          childNodes: [{ type: 2, tagName: 'body', id: 2, attributes: {}, childNodes: [frame('<p>Card 4929</p>')] }],
        },
      },
    };
    dropFrameSources(event);
    expect(JSON.stringify(event)).not.toContain('srcdoc');
    expect(event.data.node.childNodes[0]?.childNodes[0]?.attributes).toEqual({ id: 'notes' });
  });

  it('drops srcdoc from added nodes and from attribute changes, and keeps the rest of the mutation', () => {
    const event = {
      type: 3,
      data: {
        source: 0,
        adds: [{ parentId: 2, nextId: null, node: frame('<p>Card 4929</p>') }],
        attributes: [
          { id: 30, attributes: { srcdoc: '<p>Card 5512</p>', title: 'Notes' } },
          { id: 31, attributes: { class: 'open' } },
        ],
        removes: [],
        texts: [{ id: 40, value: 'Your notes' }],
      },
    };
    dropFrameSources(event);
    expect(JSON.stringify(event)).not.toContain('Card');
    expect(event.data.attributes).toEqual([
      { id: 30, attributes: { title: 'Notes' } },
      { id: 31, attributes: { class: 'open' } },
    ]);
    expect(event.data.texts).toEqual([{ id: 40, value: 'Your notes' }]);
  });

  it("cuts a frame from another site to its origin: the address's path and query may carry the customer's tokens", () => {
    const address = 'https://pay.example.test/session/cs_live_a1?client_secret=pi_3_secret_9';
    const snapshot = {
      type: 2,
      data: { node: { type: 2, tagName: 'iframe', id: 30, attributes: { rr_src: address, title: 'Pay' } } },
    };
    const change = {
      type: 3,
      data: { source: 0, adds: [], attributes: [{ id: 30, attributes: { rr_src: address } }] },
    };
    dropFrameSources(snapshot);
    dropFrameSources(change);
    expect(snapshot.data.node.attributes).toEqual({ rr_src: 'https://pay.example.test', title: 'Pay' });
    expect(change.data.attributes).toEqual([{ id: 30, attributes: { rr_src: 'https://pay.example.test' } }]);
    expect(JSON.stringify([snapshot, change])).not.toContain('secret');
  });

  it('leaves other events as they are', () => {
    const input = { type: 3, data: { source: 5, id: 30, text: 'srcdoc' } };
    const meta = { type: 4, data: { href: 'https://example.test/', width: 1280, height: 720 } };
    dropFrameSources(input);
    dropFrameSources(meta);
    expect(input).toEqual({ type: 3, data: { source: 5, id: 30, text: 'srcdoc' } });
    expect(meta).toEqual({ type: 4, data: { href: 'https://example.test/', width: 1280, height: 720 } });
  });
});
