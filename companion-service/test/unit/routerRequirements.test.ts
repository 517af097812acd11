import { ErrorCode } from '../../src/protocol/codes';
import type { Role } from '../../src/protocol/messages';
import { issuerOf } from '../../src/signaling/requirements';
import { MessageRouter, type ConnectionContext } from '../../src/signaling/router';

/** A socket as the router sees it: where it is, and what it was answered. */
function socket(at: { participantId?: string; role?: Role; visitorId?: string } = {}) {
  const failed: string[] = [];
  const connection = {
    participantId: at.participantId,
    role: at.role,
    visitorId: at.visitorId,
    fail: (code: string) => failed.push(code),
  };
  return { connection: connection as unknown as ConnectionContext, failed };
}

const FRAME = Buffer.from('{}');

async function send(
  router: MessageRouter,
  type: 'session.end' | 'visitor.start' | 'terms.accept' | 'guest.extend',
  at: Parameters<typeof socket>[0],
) {
  const { connection, failed } = socket(at);
  await router.dispatch(connection, { type } as never, FRAME);
  return failed;
}

describe('handler declarations', () => {
  const ran: string[] = [];
  const router = new MessageRouter();
  router.on('session.end', issuerOf('session.end'), (c) => void ran.push(`end by ${c.participantId}`));
  router.on('visitor.start', { in: 'none' }, () => void ran.push('start'));
  router.on('terms.accept', { in: 'none', visitor: 'identified' }, (c) => void ran.push(`accept by ${c.visitorId}`));
  router.on('guest.extend', { in: 'session' }, () => void ran.push('extend'));

  beforeEach(() => (ran.length = 0));

  it('run the handler only for a socket where the declaration says', async () => {
    expect(await send(router, 'session.end', { participantId: 'a1', role: 'agent' })).toEqual([]);
    expect(await send(router, 'visitor.start', {})).toEqual([]);
    expect(await send(router, 'terms.accept', { visitorId: 'site/v1' })).toEqual([]);
    expect(await send(router, 'guest.extend', { participantId: 'g1' })).toEqual([]);
    expect(ran).toEqual(['end by a1', 'start', 'accept by site/v1', 'extend']);
  });

  it('refuse anything else before the handler runs, saying why', async () => {
    expect(await send(router, 'session.end', {})).toEqual([ErrorCode.NotInSession]);
    // A socket that speaks for a guest still waiting to be let in has no role in the session yet.
    expect(await send(router, 'session.end', { participantId: 'g1' })).toEqual([ErrorCode.NotInSession]);
    expect(await send(router, 'session.end', { participantId: 'v1', role: 'visitor' })).toEqual([ErrorCode.Forbidden]);
    expect(await send(router, 'visitor.start', { participantId: 'v1', role: 'visitor' })).toEqual([
      ErrorCode.AlreadyInSession,
    ]);
    expect(await send(router, 'guest.extend', {})).toEqual([ErrorCode.NotInSession]);
    // The visitor's identity is checked first.
    expect(await send(router, 'terms.accept', { participantId: 'v1', role: 'visitor' })).toEqual([
      ErrorCode.Unauthorized,
    ]);
    expect(await send(router, 'terms.accept', { participantId: 'v1', role: 'visitor', visitorId: 'site/v1' })).toEqual([
      ErrorCode.AlreadyInSession,
    ]);
    expect(ran).toEqual([]);
  });

  it('take the roles of a session command from the transition table', () => {
    expect(issuerOf('session.end')).toEqual({ in: 'session', role: ['agent'] });
    expect(issuerOf('control.release')).toEqual({ in: 'session', role: ['visitor', 'agent'] });
    expect(() => issuerOf('guest.extend')).toThrow(/not issued by a member/);
  });
});
