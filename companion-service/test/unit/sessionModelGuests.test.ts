import { EndReason, ErrorCode, LeaveReason } from '../../src/protocol/codes';
import {
  acceptTerms,
  admitAgent,
  admitGuest,
  createGuestInvite,
  createInvitation,
  declineTerms,
  ejectGuest,
  expire,
  extendGuestCode,
  leave,
  linksFor,
  markAway,
  markBack,
  nextDeadline,
  pauseVideo,
  requestGuest,
  setVideo,
  withdrawGuest,
  type Session,
} from '../../src/sessions/model';
import { RULES, T0, active as activeWith, ok } from '../helpers/sessionFixtures';

/** A room of four, so that two guests fill it. */
const ROOM = { ...RULES, maxParticipants: 4 };
const GUEST_RULES = { ...ROOM, codeTtlMs: 120_000, maxExtensions: 2, maxPending: 10 };
const VIDEO = 'Tandem_Agent_Video';

/** An active session whose agent may turn video on (unless given other privileges). */
const active = (privileges: string[] = [VIDEO]) => activeWith(privileges, ROOM);

function withInvite(s = active()): Session {
  return ok(createGuestInvite(s, 'agent', { token: 'invite-1', now: T0, ttlMs: 3_600_000 }));
}

function withPendingGuest(id = 'guest', code = '222222', s = withInvite()): Session {
  return ok(requestGuest(s, { invite: 'invite-1', participantId: id, name: 'Gil', code, now: T0 }, GUEST_RULES));
}

function withGuest(id = 'guest', code = '222222', s = withInvite()): Session {
  return ok(admitGuest(withPendingGuest(id, code, s), 'agent', code, T0 + 1, ROOM));
}

describe('1-click invitations and terms', () => {
  const invited = () =>
    createInvitation({
      sessionId: 's2',
      invitationId: 'inv-1',
      code: '333333',
      visitorIdentity: '003A',
      agentIdentity: 'u1',
      agentName: 'Ana',
      now: T0,
      promptTtlMs: 60_000,
    });
  const answer = {
    invitationId: 'inv-1',
    visitorIdentity: '003A',
    participantId: 'visitor',
    now: T0 + 5,
    agentWaitMs: 120_000,
  };

  it('waits for the agent when the visitor accepts before the console is there', () => {
    const outcome = acceptTerms(invited(), answer);
    expect(ok(outcome).status).toBe('waiting');
    expect(ok(outcome).participants.map((p) => p.role)).toEqual(['visitor']);
    expect(nextDeadline(ok(outcome), ROOM)).toBe(T0 + 5 + 120_000);
  });

  it('starts at once when the agent is already waiting, the agent initiating toward the visitor', () => {
    const withAgent = ok(
      admitAgent(invited(), { participantId: 'agent', identity: 'u1', name: 'Ana', privileges: [], now: T0 + 1 }, ROOM),
    );
    expect(withAgent.status).toBe('inviting');
    const outcome = acceptTerms(withAgent, answer);
    expect(ok(outcome).status).toBe('active');
    expect(outcome.ok && outcome.effects).toEqual([
      {
        kind: 'peer-joined',
        to: 'agent',
        link: expect.objectContaining({ peer: expect.objectContaining({ id: 'visitor' }), initiator: true }),
      },
    ]);
  });

  it('keeps the invited visitor\u2019s seat: guests can\u2019t fill the room before the visitor accepts', () => {
    // A room of four: the agent, two guests and the seat the invitation keeps for the visitor.
    const agentIn = ok(
      admitAgent(invited(), { participantId: 'agent', identity: 'u1', name: 'Ana', privileges: [], now: T0 + 1 }, ROOM),
    );
    const withLink = ok(createGuestInvite(agentIn, 'agent', { token: 'invite-1', now: T0, ttlMs: 3_600_000 }));
    const ask = (s: Session, id: string, code: string) =>
      requestGuest(s, { invite: 'invite-1', participantId: id, name: id, code, now: T0 }, GUEST_RULES);
    const twoPending = ok(ask(ok(ask(withLink, 'g1', '111111')), 'g2', '222222'));
    const twoGuests = ok(
      admitGuest(ok(admitGuest(twoPending, 'agent', '111111', T0 + 2, ROOM)), 'agent', '222222', T0 + 2, ROOM),
    );
    expect(twoGuests.participants).toHaveLength(3);
    expect(ask(twoGuests, 'g3', '333333')).toEqual({ ok: false, code: ErrorCode.SessionFull });
    const thirdWaiting = ok(ask(ok(admitGuest(twoPending, 'agent', '111111', T0 + 2, ROOM)), 'g3', '333333'));
    expect(
      admitGuest(ok(admitGuest(thirdWaiting, 'agent', '222222', T0 + 2, ROOM)), 'agent', '333333', T0 + 2, ROOM),
    ).toEqual({ ok: false, code: ErrorCode.SessionFull });
    // The visitor takes the seat kept for them: four, never five.
    expect(ok(acceptTerms(twoGuests, { ...answer, now: T0 + 3 })).participants).toHaveLength(4);
  });

  it('lets only the inviting agent into an invitation', () => {
    expect(
      admitAgent(invited(), { participantId: 'a2', identity: 'someone-else', privileges: [], now: T0 }, ROOM),
    ).toEqual({ ok: false, code: ErrorCode.Forbidden });
  });

  it('refuses an answer from another visitor, for another invitation, twice, or too late', () => {
    expect(acceptTerms(invited(), { ...answer, visitorIdentity: '003B' })).toEqual({
      ok: false,
      code: ErrorCode.InvalidInvitation,
    });
    expect(acceptTerms(invited(), { ...answer, invitationId: 'inv-2' })).toEqual({
      ok: false,
      code: ErrorCode.InvalidInvitation,
    });
    const accepted = ok(acceptTerms(invited(), answer));
    expect(acceptTerms(accepted, { ...answer, participantId: 'visitor-2' })).toEqual({
      ok: false,
      code: ErrorCode.InvalidInvitation,
    });
    expect(declineTerms(accepted, answer)).toEqual({ ok: false, code: ErrorCode.InvalidInvitation });
    expect(acceptTerms(invited(), { ...answer, now: T0 + 60_000 })).toEqual({
      ok: false,
      code: ErrorCode.InvalidInvitation,
    });
  });

  it('ends the session when the visitor declines, or does not answer in time', () => {
    expect(ok(declineTerms(invited(), answer))).toMatchObject({
      status: 'ended',
      endReason: EndReason.VisitorDeclined,
    });
    expect(nextDeadline(invited(), ROOM)).toBe(T0 + 60_000);
    expect(ok(expire(invited(), T0 + 59_999, ROOM)).status).toBe('inviting');
    expect(ok(expire(invited(), T0 + 60_000, ROOM))).toMatchObject({
      status: 'ended',
      endReason: EndReason.TermsTimeout,
    });
  });
});

describe('guests', () => {
  it('only the agent creates invites', () => {
    expect(createGuestInvite(active(), 'visitor', { token: 't', now: T0, ttlMs: 1 })).toEqual({
      ok: false,
      code: ErrorCode.Forbidden,
    });
  });

  it('a guest needs a live invite to get a code', () => {
    const s = withInvite();
    expect(requestGuest(s, { invite: 'nope', participantId: 'g', name: 'G', code: '1', now: T0 }, GUEST_RULES)).toEqual(
      { ok: false, code: ErrorCode.InvalidInvite },
    );
    expect(
      requestGuest(
        s,
        { invite: 'invite-1', participantId: 'g', name: 'G', code: '1', now: T0 + 3_600_000 },
        GUEST_RULES,
      ),
    ).toEqual({ ok: false, code: ErrorCode.InvalidInvite });
  });

  it('admitting moves the guest into the mesh; the guest is told first, then everyone present initiates toward them', () => {
    const outcome = admitGuest(withPendingGuest(), 'agent', '222222', T0 + 1, ROOM);
    const s = ok(outcome);
    expect(s.pendingGuests).toEqual([]);
    expect(s.participants.map((p) => p.role)).toEqual(['visitor', 'agent', 'guest']);
    expect(outcome.ok && outcome.effects.map((e) => [e.kind, e.to])).toEqual([
      ['admitted', 'guest'],
      ['peer-joined', 'visitor'],
      ['peer-joined', 'agent'],
    ]);
    expect(linksFor(s, 'guest').every((l) => !l.initiator)).toBe(true);
  });

  it('codes are single-use, expire, and can be extended a limited number of times', () => {
    const admitted = withGuest();
    expect(admitGuest(admitted, 'agent', '222222', T0 + 2, ROOM)).toEqual({ ok: false, code: ErrorCode.InvalidCode });
    const pending = withPendingGuest();
    expect(admitGuest(pending, 'agent', '222222', T0 + 120_000, ROOM)).toEqual({
      ok: false,
      code: ErrorCode.GuestCodeExpired,
    });
    const once = ok(extendGuestCode(pending, 'guest', T0 + 100_000, GUEST_RULES));
    expect(once.pendingGuests[0]).toMatchObject({ expiresAt: T0 + 220_000, extensionsLeft: 1, code: '222222' });
    const twice = ok(extendGuestCode(once, 'guest', T0 + 200_000, GUEST_RULES));
    expect(extendGuestCode(twice, 'guest', T0 + 300_000, GUEST_RULES)).toEqual({
      ok: false,
      code: ErrorCode.NoExtensionsLeft,
    });
    expect(ok(admitGuest(once, 'agent', '222222', T0 + 150_000, ROOM)).participants).toHaveLength(3);
  });

  it('only the agent admits, ejects or pauses', () => {
    const pending = withPendingGuest();
    expect(admitGuest(pending, 'visitor', '222222', T0, ROOM)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    const s = withGuest();
    expect(ejectGuest(s, 'visitor', 'guest')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(pauseVideo(s, 'visitor', 'guest', true)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    const twoGuests = withGuest('guest-2', '444444', s);
    expect(ejectGuest(twoGuests, 'guest', 'guest-2')).toEqual({ ok: false, code: ErrorCode.Forbidden });
  });

  it('the agent can neither eject the visitor nor pause themselves; pausing the visitor tells everyone', () => {
    const s = withGuest();
    expect(ejectGuest(s, 'agent', 'visitor')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(pauseVideo(s, 'agent', 'agent', true)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(pauseVideo(s, 'guest', 'visitor', true)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    const paused = pauseVideo(s, 'agent', 'visitor', true);
    expect(ok(paused).participants.find((p) => p.id === 'visitor')?.media.paused).toBe(true);
    expect(paused.ok && paused.effects.map((e) => e.to).sort()).toEqual(['agent', 'guest', 'visitor']);
    expect(ejectGuest(s, 'agent', 'nobody')).toEqual({ ok: false, code: ErrorCode.UnknownPeer });
  });

  it('eject removes the guest, tells everyone, and revokes the invite they came with', () => {
    const outcome = ejectGuest(withGuest(), 'agent', 'guest');
    const s = ok(outcome);
    expect(s.participants.map((p) => p.id)).toEqual(['visitor', 'agent']);
    expect(outcome.ok && outcome.effects).toEqual([
      { kind: 'peer-left', to: 'visitor', peerId: 'guest', reason: LeaveReason.Ejected },
      { kind: 'peer-left', to: 'agent', peerId: 'guest', reason: LeaveReason.Ejected },
      { kind: 'removed', to: 'guest', reason: LeaveReason.Ejected },
    ]);
    expect(
      requestGuest(
        s,
        { invite: 'invite-1', participantId: 'guest-again', name: 'Gil', code: '5', now: T0 },
        GUEST_RULES,
      ),
    ).toEqual({
      ok: false,
      code: ErrorCode.InvalidInvite,
    });
  });

  it('pause stops the guest video for everyone; the guest cannot turn it back on; only the agent resumes', () => {
    const paused = pauseVideo(withGuest(), 'agent', 'guest', true);
    const s = ok(paused);
    expect(paused.ok && paused.effects.map((e) => e.to)).toEqual(['visitor', 'agent', 'guest']);
    expect(paused.ok && paused.effects[0]).toEqual({
      kind: 'peer-media',
      to: 'visitor',
      peerId: 'guest',
      media: { video: true, paused: true },
    });
    expect(setVideo(s, 'guest', true)).toEqual({ ok: false, code: ErrorCode.VideoPaused });
    expect(ok(setVideo(s, 'guest', false)).participants[2]?.media).toEqual({ video: false, paused: true });
    const resumed = ok(pauseVideo(s, 'agent', 'guest', false));
    expect(resumed.participants[2]?.media).toEqual({ video: true, paused: false });
  });

  it('a guest hang-up removes only that guest', () => {
    const s = ok(leave(withGuest(), 'guest', T0));
    expect(s.status).toBe('active');
    expect(s.participants.map((p) => p.id)).toEqual(['visitor', 'agent']);
  });

  it('the room has a cap, checked when asking and when admitting', () => {
    const full = withGuest('g2', '555555', withGuest());
    expect(full.participants).toHaveLength(4);
    expect(
      requestGuest(full, { invite: 'invite-1', participantId: 'g3', name: 'X', code: '6', now: T0 }, GUEST_RULES),
    ).toEqual({ ok: false, code: ErrorCode.SessionFull });
    const threeWithTwoPending = withPendingGuest('g3', '777777', withPendingGuest('g2', '666666', withGuest()));
    const four = ok(admitGuest(threeWithTwoPending, 'agent', '666666', T0 + 1, ROOM));
    expect(admitGuest(four, 'agent', '777777', T0 + 1, ROOM)).toEqual({ ok: false, code: ErrorCode.SessionFull });
  });

  it('a pending guest who leaves is withdrawn', () => {
    expect(ok(withdrawGuest(withPendingGuest(), 'guest')).pendingGuests).toEqual([]);
  });
});

describe('video', () => {
  it('an agent needs the video privilege to turn video on', () => {
    expect(setVideo(active([]), 'agent', true)).toEqual({ ok: false, code: ErrorCode.NoPrivilege });
    const on = setVideo(active([VIDEO]), 'agent', true);
    expect(ok(on).participants[1]?.media).toEqual({ video: true, paused: false });
    expect(on.ok && on.effects.map((e) => e.to)).toEqual(['visitor', 'agent']);
  });

  it('everyone turns their own video off and on', () => {
    const off = ok(setVideo(active(), 'visitor', false));
    expect(off.participants[0]?.media.video).toBe(false);
    expect(ok(setVideo(off, 'visitor', true)).participants[0]?.media.video).toBe(true);
    expect(setVideo(active(), 'stranger', true)).toEqual({ ok: false, code: ErrorCode.NotInSession });
  });
});

describe('participant records', () => {
  it('have the same fields in the same order however they were made or changed (one hidden class in V8)', () => {
    const joined = withGuest();
    const away = ok(markAway(joined, 'guest', T0 + 2));
    const back = ok(markBack(away, 'guest', T0 + 3, ROOM));
    const paused = ok(pauseVideo(back, 'agent', 'guest', true));
    const videoOff = ok(setVideo(paused, 'visitor', false));
    const everyone = [joined, away, back, paused, videoOff].flatMap((s) => s.participants);
    expect(everyone.map((p) => p.role)).toEqual(expect.arrayContaining(['visitor', 'agent', 'guest']));
    const shapes = new Set(everyone.map((p) => Object.keys(p).join(',')));
    expect([...shapes]).toEqual(['id,role,identity,name,seq,awaySince,media,privileges,invite']);
  });
});
