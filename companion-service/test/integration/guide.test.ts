import { ErrorCode } from '../../src/protocol/codes';
import { GUIDE_BURST } from '../../src/guide/plugin';
import type { ClientMessage } from '../../src/protocol/messages';
import { eventually } from '../helpers/eventually';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';

/* Guiding over a real WebSocket: the agent's pointer, gestures and drawings reach the session's visitor only; a guest
 * or the visitor sending them is refused and the visitor receives nothing; sizes and rates are bounded. */

jest.setTimeout(20_000);

const suite = serviceSuite();
const call = async () => suite.call(await devToken(suite.server, 'Ana Agent'));

const withGuest = (c: Awaited<ReturnType<typeof call>>) => suite.admitGuest(c.agent);

const at = { nodeId: 12, fx: 0.5, fy: 0.25 };
const guideMessages: ClientMessage[] = [
  { type: 'guide.pointer', at },
  { type: 'guide.gesture', at },
  { type: 'guide.stroke', stroke: 1, shape: 'freehand', points: [[10, 20]], end: false },
  { type: 'guide.clear' },
];
const GUIDE_TYPES = ['guide.pointer', 'guide.gesture', 'guide.stroke', 'guide.clear'] as const;

describe('guiding', () => {
  it("relays the agent's pointer, gestures, strokes and clears to the visitor only", async () => {
    const c = await call();
    const guest = await withGuest(c);
    c.agent.send({ type: 'guide.pointer', at, id: 'p1' });
    expect(await c.visitor.next('guide.pointer')).toEqual({ type: 'guide.pointer', name: 'Ana Agent', at });
    c.agent.send({ type: 'guide.pointer', at: null });
    expect(await c.visitor.next('guide.pointer')).toEqual({ type: 'guide.pointer', name: 'Ana Agent', at: null });
    c.agent.send({ type: 'guide.gesture', at });
    expect(await c.visitor.next('guide.gesture')).toEqual({ type: 'guide.gesture', at });
    const points: Array<[number, number]> = [
      [10, 20],
      [30, 40],
    ];
    c.agent.send({ type: 'guide.stroke', stroke: 7, shape: 'arrow', points, end: true, id: 's1' });
    expect(await c.visitor.next('guide.stroke')).toEqual({
      type: 'guide.stroke',
      stroke: 7,
      shape: 'arrow',
      points,
      end: true,
    });
    c.agent.send({ type: 'guide.clear' });
    expect(await c.visitor.next('guide.clear')).toEqual({ type: 'guide.clear' });
    for (const type of GUIDE_TYPES) await guest.nothing(type, { after: c.agent });
    expect(c.agent.received.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('refuses guiding from a guest or the visitor, and the visitor receives nothing', async () => {
    const c = await call();
    const guest = await withGuest(c);
    for (const sender of [guest, c.visitor]) {
      for (const message of guideMessages) {
        sender.send(message);
        expect(await sender.next('error')).toMatchObject({ code: ErrorCode.Forbidden, inReplyTo: message.type });
      }
    }
    for (const type of GUIDE_TYPES) await c.visitor.nothing(type, { after: [guest, c.visitor] });
  });

  it('refuses guiding from a socket in no session', async () => {
    const stranger = await suite.connect();
    stranger.send({ type: 'guide.pointer', at });
    expect((await stranger.next('error')).code).toBe(ErrorCode.NotInSession);
  });

  it('refuses guiding while the visitor is away (their page is not shared)', async () => {
    const c = await call();
    c.visitor.close();
    await c.agent.next('peer.away');
    c.agent.send({ type: 'guide.pointer', at });
    expect(await c.agent.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, inReplyTo: 'guide.pointer' });
  });

  it('bounds points per message, coordinates and fractions', async () => {
    const c = await call();
    const tooMany = Array.from({ length: 65 }, (_, i): [number, number] => [i, i]);
    const refused: ClientMessage[] = [
      { type: 'guide.stroke', stroke: 1, shape: 'freehand', points: tooMany, end: false },
      { type: 'guide.stroke', stroke: 1, shape: 'freehand', points: [[200_001, 5]], end: false },
      { type: 'guide.stroke', stroke: 1, shape: 'freehand', points: [], end: true },
      { type: 'guide.pointer', at: { nodeId: 1, fx: 1.5, fy: 0 } },
      { type: 'guide.gesture', at: { nodeId: -1, fx: 0, fy: 0 } },
    ];
    for (const message of refused) {
      c.agent.send(message);
      expect((await c.agent.next('error')).code).toBe(ErrorCode.BadMessage);
    }
    for (const type of GUIDE_TYPES) await c.visitor.nothing(type, { after: c.agent });
  });

  it("limits an agent's guiding rate and relays nothing above it", async () => {
    const c = await call();
    const sent = GUIDE_BURST + 40;
    for (let i = 0; i < sent; i++) c.agent.send({ type: 'guide.pointer', at: { ...at, fx: i / sent } });
    expect(await c.agent.next('error')).toMatchObject({ code: ErrorCode.RateLimited, inReplyTo: 'guide.pointer' });
    await c.agent.probe();
    await c.visitor.probe();
    const relayed = () => c.visitor.received.filter((m) => m.type === 'guide.pointer').length;
    await eventually(relayed, (n) => n >= GUIDE_BURST, 'the burst at the visitor', 5000, c.visitor.changed);
    expect(relayed()).toBeLessThan(sent);
  });
});
