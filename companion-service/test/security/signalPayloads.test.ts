import { ErrorCode } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';

/* Finding 9: a signal's payload took any JSON (a 20,000-deep structure and __proto__ keys were relayed byte for byte
 * to the other peer's browser). Every field of a signal now has a bounded shape; what doesn't fit is refused with a
 * clear error, reaches nobody, and the call goes on. */

const suite = serviceSuite();

/** JSON text nested `depth` objects deep (as text: JSON.stringify itself can't go that deep). */
const deep = (depth: number) => `${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;

describe('signal payloads', () => {
  it('refuses deep, unknown and prototype-polluting payloads, and relays a well-formed signal after them', async () => {
    const { visitor, agent, visitorId, agentId } = await suite.call(await devToken(suite.server));
    const send = (data: unknown) =>
      agent.socket.send(
        `{"type":"signal","from":"${agentId}","to":"${visitorId}","gen":1,"data":${typeof data === 'string' ? data : JSON.stringify(data)}}`,
      );
    const refused: unknown[] = [
      `{"type":"transceiverRequest","transceiverRequest":{"kind":"video","init":${deep(9_000)}}}`,
      `{"type":"transceiverRequest","transceiverRequest":{"kind":"video","init":{"direction":"sendrecv","extra":${deep(5)}}}}`,
      '{"type":"transceiverRequest","transceiverRequest":{"kind":"video","init":{"__proto__":{"polluted":true}}}}',
      '{"type":"transceiverRequest","transceiverRequest":{"kind":"video","init":{"sendEncodings":[{"__proto__":{"x":1}}]}}}',
      {
        type: 'transceiverRequest',
        transceiverRequest: {
          kind: 'video',
          init: { sendEncodings: Array.from({ length: 5 }, () => ({ active: true })) },
        },
      },
      { type: 'transceiverRequest', transceiverRequest: { kind: 'video', init: { direction: 'everywhere' } } },
      `{"type":"offer","sdp":"v=0","extra":{"nested":${deep(50)}}}`,
      '{"type":"candidate","candidate":{"candidate":"x","__proto__":{"polluted":true}}}',
    ];
    for (const data of refused) {
      send(data);
      const error = await agent.next('error');
      const shown = (typeof data === 'string' ? data : JSON.stringify(data)).slice(0, 80);
      expect({ shown, code: error.code }).toEqual({ shown, code: ErrorCode.BadMessage });
    }
    // 20,000 deep is also longer than a message may be.
    send(`{"type":"transceiverRequest","transceiverRequest":{"kind":"video","init":${deep(20_000)}}}`);
    expect((await agent.next('error')).code).toBe(ErrorCode.TooLarge);
    send({
      type: 'transceiverRequest',
      transceiverRequest: {
        kind: 'video',
        init: { direction: 'recvonly', sendEncodings: [{ rid: 'h', maxBitrate: 900_000 }] },
      },
    });
    // The first signal the visitor gets is this one, sent after all the refused ones: none of those reached it.
    const relayed = await visitor.next('signal');
    expect(relayed.data).toEqual({
      type: 'transceiverRequest',
      transceiverRequest: {
        kind: 'video',
        init: { direction: 'recvonly', sendEncodings: [{ rid: 'h', maxBitrate: 900_000 }] },
      },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
