import { ErrorCode } from '../../src/protocol/codes';
import {
  admitGuest,
  answerShare,
  createGuestInvite,
  requestGuest,
  requestShare,
  startShare,
  stopShare,
  type Session,
} from '../../src/sessions/model';
import { currentShare } from '../../src/sessions/rules/screenShare';
import { joinedMessage } from '../../src/sessions/welcome';
import { RULES, T0, active as activeWith, ok } from '../helpers/sessionFixtures';

const SHARE = 'Tandem_Screen_Share';
const ROOM = { ...RULES, maxParticipants: 4 };
const GUEST_RULES = { ...ROOM, codeTtlMs: 120_000, maxExtensions: 2, maxPending: 10 };
const CONFIG = {
  ice: { servers: [], turnUrls: [], turnSecret: '', turnTtlSeconds: 60 },
  cobrowse: { maskSelectors: [] },
} as never;

/** An active session (visitor, agent Ana with these privileges) and a guest, Gil. */
function withGuest(privileges = [SHARE]): Session {
  const invited = ok(
    createGuestInvite(activeWith(privileges, ROOM), 'agent', { token: 'invite-1', now: T0, ttlMs: 1e6 }),
  );
  const pending = ok(
    requestGuest(
      invited,
      { invite: 'invite-1', participantId: 'guest', name: 'Gil', code: '222222', now: T0 },
      GUEST_RULES,
    ),
  );
  return ok(admitGuest(pending, 'agent', '222222', T0 + 1, ROOM));
}

const told = (outcome: ReturnType<typeof startShare>) =>
  outcome.ok ? outcome.effects.map((e) => (e.kind === 'share-state' ? [e.to, e.share.state] : [e.kind])) : outcome.code;

describe('screen share', () => {
  it("the agent's share is told to everyone in the call, with the stream to show", () => {
    const outcome = startShare(withGuest(), 'agent', 'screen-1');
    expect(told(outcome)).toEqual([
      ['visitor', 'on'],
      ['agent', 'on'],
      ['guest', 'on'],
    ]);
    expect(outcome.ok && outcome.effects[0]).toEqual({
      kind: 'share-state',
      to: 'visitor',
      share: { state: 'on', sharerId: 'agent', streamId: 'screen-1', name: 'Ana' },
    });
  });

  it('needs the privilege, and is for agents only', () => {
    expect(startShare(withGuest([]), 'agent', 'screen-1')).toEqual({ ok: false, code: ErrorCode.NoPrivilege });
    expect(requestShare(withGuest([]), 'agent')).toEqual({ ok: false, code: ErrorCode.NoPrivilege });
    expect(startShare(withGuest(), 'visitor', 'screen-1')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(startShare(withGuest(), 'guest', 'screen-1')).toEqual({ ok: false, code: ErrorCode.Forbidden });
  });

  it("the customer's screen needs their consent and reaches the agents only", () => {
    const requested = requestShare(withGuest(), 'agent');
    expect(told(requested)).toEqual([
      ['visitor', 'requested'],
      ['agent', 'requested'],
    ]);
    const asked = ok(requested);
    expect(answerShare(asked, 'agent', 'screen-2')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    const granted = answerShare(asked, 'visitor', 'screen-2');
    expect(told(granted)).toEqual([
      ['visitor', 'on'],
      ['agent', 'on'],
    ]);
    expect(currentShare(ok(granted))).toEqual({
      state: 'on',
      agentId: 'agent',
      sharerId: 'visitor',
      streamId: 'screen-2',
    });
    // Nobody can start another share over it.
    expect(startShare(ok(granted), 'agent', 'screen-3')).toEqual({ ok: false, code: ErrorCode.ScreenShareBusy });
  });

  it('declined, nothing is shared; an answer without a request is refused', () => {
    const declined = answerShare(ok(requestShare(withGuest(), 'agent')), 'visitor', null);
    expect(currentShare(ok(declined)).state).toBe('off');
    expect(told(declined)).toEqual([
      ['visitor', 'off'],
      ['agent', 'off'],
    ]);
    expect(answerShare(withGuest(), 'visitor', 'screen-2')).toEqual({ ok: false, code: ErrorCode.InvalidInvitation });
  });

  it('the sharer or an agent stops it, told to those who saw it; others may not', () => {
    const agentShares = ok(startShare(withGuest(), 'agent', 'screen-1'));
    expect(stopShare(agentShares, 'guest')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(stopShare(agentShares, 'visitor')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(told(stopShare(agentShares, 'agent'))).toEqual([
      ['visitor', 'off'],
      ['agent', 'off'],
      ['guest', 'off'],
    ]);
    const customerShares = ok(answerShare(ok(requestShare(withGuest(), 'agent')), 'visitor', 'screen-2'));
    expect(stopShare(customerShares, 'guest')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(told(stopShare(customerShares, 'visitor'))).toEqual([
      ['visitor', 'off'],
      ['agent', 'off'],
    ]);
    expect(currentShare(ok(stopShare(customerShares, 'agent'))).state).toBe('off');
    // Nothing to stop: nothing changes.
    const off = withGuest();
    expect(stopShare(off, 'guest')).toEqual({ ok: true, session: off, effects: [] });
  });

  it("a member who joins later hears of a share they see; a guest never of the customer's", () => {
    const agentShares = ok(startShare(withGuest(), 'agent', 'screen-1'));
    const arrival = (session: Session, participantId: string) =>
      joinedMessage({ session, participantId, resumeToken: 'r'.repeat(16) }, true, CONFIG, T0)?.share;
    expect(arrival(agentShares, 'guest')).toEqual({
      state: 'on',
      sharerId: 'agent',
      streamId: 'screen-1',
      name: 'Ana',
    });
    const customerShares = ok(answerShare(ok(requestShare(withGuest(), 'agent')), 'visitor', 'screen-2'));
    expect(arrival(customerShares, 'guest')).toBeUndefined();
    expect(arrival(customerShares, 'agent')).toMatchObject({ state: 'on', sharerId: 'visitor' });
  });
});
