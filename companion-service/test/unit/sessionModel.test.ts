import { EndReason, ErrorCode } from '../../src/protocol/codes';
import {
  admitAgent,
  canRelay,
  endByAgent,
  expire,
  leave,
  linksFor,
  markAway,
  markBack,
  nextDeadline,
  pairGeneration,
  restartPair,
  setVideo,
  type Session,
} from '../../src/sessions/model';
import { RULES, T0, active, ok, waiting } from '../helpers/sessionFixtures';

describe('creating a session', () => {
  it('starts waiting, with the visitor as its only member and the code valid for the TTL', () => {
    const s = waiting();
    expect(s.status).toBe('waiting');
    expect(s.code).toBe('123456');
    expect(s.codeExpiresAt).toBe(T0 + 600_000);
    expect(s.participants).toEqual([
      {
        id: 'visitor',
        role: 'visitor',
        identity: 'anonymous',
        name: null,
        seq: 0,
        awaySince: null,
        media: { video: true, paused: false },
        privileges: [],
        invite: null,
      },
    ]);
  });
});

describe('an agent joining with the code', () => {
  it('makes the session active and tells the visitor to initiate toward the agent', () => {
    const outcome = admitAgent(
      waiting(),
      { participantId: 'agent', identity: 'u1', name: 'Ana', privileges: [], now: T0 + 1 },
      RULES,
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.session.status).toBe('active');
    expect(outcome.effects).toEqual([
      {
        kind: 'peer-joined',
        to: 'visitor',
        link: {
          peer: { id: 'agent', role: 'agent', name: 'Ana', media: { video: false, paused: false } },
          initiator: true,
          gen: 1,
        },
      },
    ]);
    // The newcomer does not initiate toward those already present.
    expect(linksFor(outcome.session, 'agent')).toEqual([
      { peer: { id: 'visitor', role: 'visitor', media: { video: true, paused: false } }, initiator: false, gen: 1 },
    ]);
  });

  it('is refused once the unused code has expired', () => {
    const outcome = admitAgent(
      waiting(),
      { participantId: 'a', identity: 'u1', privileges: [], now: T0 + 600_000 },
      RULES,
    );
    expect(outcome).toEqual({ ok: false, code: ErrorCode.CodeExpired });
  });

  it('is refused for a second agent', () => {
    const outcome = admitAgent(
      active(),
      { participantId: 'agent-2', identity: 'u2', privileges: [], now: T0 + 2000 },
      RULES,
    );
    expect(outcome).toEqual({ ok: false, code: ErrorCode.AgentPresent });
  });

  it('is refused when the room is full', () => {
    const outcome = admitAgent(
      waiting(),
      { participantId: 'a', identity: 'u1', privileges: [], now: T0 },
      { ...RULES, maxParticipants: 1 },
    );
    expect(outcome).toEqual({ ok: false, code: ErrorCode.SessionFull });
  });

  it('is refused after the session ended', () => {
    const ended = ok(leave(waiting(), 'visitor', T0));
    expect(admitAgent(ended, { participantId: 'a', identity: 'u1', privileges: [], now: T0 }, RULES)).toEqual({
      ok: false,
      code: ErrorCode.SessionEnded,
    });
  });
});

describe('relaying signals', () => {
  it('is allowed only between two members of the same live session', () => {
    const s = active();
    expect(canRelay(s, 'visitor', 'agent')).toBe(true);
    expect(canRelay(s, 'agent', 'visitor')).toBe(true);
    expect(canRelay(s, 'agent', 'agent')).toBe(false);
    expect(canRelay(s, 'agent', 'stranger')).toBe(false);
    expect(canRelay(s, 'stranger', 'agent')).toBe(false);
    const ended = ok(endByAgent(s, 'agent', T0));
    expect(canRelay(ended, 'visitor', 'agent')).toBe(false);
  });
});

describe('hanging up and ending', () => {
  it('ends the session for everyone when the visitor hangs up', () => {
    const outcome = leave(active(), 'visitor', T0 + 5000);
    expect(outcome.ok && outcome.session.status).toBe('ended');
    expect(outcome.ok && outcome.session.endReason).toBe(EndReason.VisitorHangup);
    expect(outcome.ok && outcome.effects.map((e) => [e.kind, e.to])).toEqual([
      ['session-ended', 'visitor'],
      ['session-ended', 'agent'],
    ]);
  });

  it('ends the session for everyone when the agent hangs up', () => {
    const outcome = leave(active(), 'agent', T0 + 5000);
    expect(outcome.ok && outcome.session.endReason).toBe(EndReason.AgentHangup);
  });

  it('lets only the agent END the session', () => {
    expect(endByAgent(active(), 'visitor', T0)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(endByAgent(active(), 'stranger', T0)).toEqual({ ok: false, code: ErrorCode.NotInSession });
    const outcome = endByAgent(active(), 'agent', T0 + 9);
    expect(outcome.ok && outcome.session).toMatchObject({
      status: 'ended',
      endReason: EndReason.AgentEnded,
      endedAt: T0 + 9,
    });
  });

  it('refuses to act on an ended session', () => {
    const ended = ok(endByAgent(active(), 'agent', T0));
    expect(leave(ended, 'visitor', T0)).toEqual({ ok: false, code: ErrorCode.SessionEnded });
    expect(endByAgent(ended, 'agent', T0)).toEqual({ ok: false, code: ErrorCode.SessionEnded });
  });

  it('removes only a participant whose role does not end the session (guests, next issue)', () => {
    const s = active();
    const withGuest: Session = {
      ...s,
      participants: [
        ...s.participants,
        {
          id: 'guest-1',
          role: 'guest',
          identity: 'g',
          name: null,
          seq: 2,
          awaySince: null,
          media: { video: true, paused: false },
          privileges: [],
          invite: null,
        },
      ],
    };
    const outcome = leave(withGuest, 'guest-1', T0);
    expect(outcome.ok && outcome.session.status).toBe('active');
    expect(outcome.ok && outcome.session.participants.map((p) => p.id)).toEqual(['visitor', 'agent']);
    expect(outcome.ok && outcome.effects).toEqual([
      { kind: 'peer-left', to: 'visitor', peerId: 'guest-1', reason: 'hangup' },
      { kind: 'peer-left', to: 'agent', peerId: 'guest-1', reason: 'hangup' },
    ]);
  });
});

describe('dropped sockets and resume', () => {
  it('keeps an away participant for the grace period and tells the others', () => {
    const outcome = markAway(active(), 'visitor', T0 + 10_000);
    expect(outcome.ok && outcome.effects).toEqual([{ kind: 'peer-away', to: 'agent', peerId: 'visitor' }]);
    const s = ok(outcome);
    expect(nextDeadline(s, RULES)).toBe(T0 + 30_000);
    // Still inside the grace period: nothing happens.
    expect(ok(expire(s, T0 + 29_999, RULES)).status).toBe('active');
  });

  it('welcomes the participant back within the grace period', () => {
    const away = ok(markAway(active(), 'visitor', T0 + 10_000));
    const outcome = markBack(away, 'visitor', T0 + 29_000, RULES);
    expect(outcome.ok && outcome.effects).toEqual([{ kind: 'peer-back', to: 'agent', peerId: 'visitor' }]);
    expect(outcome.ok && outcome.session.participants[0]?.awaySince).toBeNull();
  });

  it('refuses a resume after the grace period', () => {
    const away = ok(markAway(active(), 'visitor', T0 + 10_000));
    expect(markBack(away, 'visitor', T0 + 30_001, RULES)).toEqual({ ok: false, code: ErrorCode.ResumeFailed });
  });

  it('ends the session when the visitor stays away past the grace period', () => {
    const away = ok(markAway(active(), 'visitor', T0 + 10_000));
    const outcome = expire(away, T0 + 30_000, RULES);
    expect(outcome.ok && outcome.session).toMatchObject({ status: 'ended', endReason: EndReason.VisitorLost });
  });

  it('ends the session when the agent stays away past the grace period', () => {
    const away = ok(markAway(active(), 'agent', T0 + 10_000));
    expect(ok(expire(away, T0 + 30_000, RULES)).endReason).toBe(EndReason.AgentLost);
  });

  it('does not announce an away participant twice', () => {
    const away = ok(markAway(active(), 'visitor', T0 + 10_000));
    const again = markAway(away, 'visitor', T0 + 11_000);
    expect(again.ok && again.effects).toEqual([]);
    expect(again.ok && again.session.participants[0]?.awaySince).toBe(T0 + 10_000);
  });
});

describe('code expiry', () => {
  it('ends a waiting session whose code was never used', () => {
    const s = waiting();
    expect(nextDeadline(s, RULES)).toBe(T0 + 600_000);
    expect(ok(expire(s, T0 + 599_999, RULES)).status).toBe('waiting');
    const outcome = expire(s, T0 + 600_000, RULES);
    expect(outcome.ok && outcome.session).toMatchObject({ status: 'ended', endReason: EndReason.CodeExpired });
    expect(outcome.ok && outcome.effects).toEqual([
      { kind: 'session-ended', to: 'visitor', reason: EndReason.CodeExpired },
    ]);
  });

  it('does not end an active session when the code time passes', () => {
    expect(ok(expire(active(), T0 + 10_000_000, RULES)).status).toBe('active');
    expect(nextDeadline(active(), RULES)).toBeUndefined();
  });
});

describe('restarting a pair', () => {
  it('bumps the generation and tells both sides, the earlier member initiating and the answering side told first', () => {
    const told = [
      {
        kind: 'pair-reset',
        to: 'agent',
        link: { peer: expect.objectContaining({ id: 'visitor' }), initiator: false, gen: 2 },
      },
      {
        kind: 'pair-reset',
        to: 'visitor',
        link: { peer: expect.objectContaining({ id: 'agent' }), initiator: true, gen: 2 },
      },
    ];
    // Whichever side asks.
    for (const [by, peer] of [
      ['agent', 'visitor'],
      ['visitor', 'agent'],
    ] as const) {
      const outcome = restartPair(active(), by, peer);
      expect(outcome.ok && outcome.effects).toEqual(told);
      expect(pairGeneration(ok(outcome), 'visitor', 'agent')).toBe(2);
    }
  });

  it('is refused toward someone outside the session or toward oneself', () => {
    expect(restartPair(active(), 'agent', 'stranger')).toEqual({ ok: false, code: ErrorCode.UnknownPeer });
    expect(restartPair(active(), 'agent', 'agent')).toEqual({ ok: false, code: ErrorCode.UnknownPeer });
    expect(restartPair(active(), 'stranger', 'agent')).toEqual({ ok: false, code: ErrorCode.NotInSession });
  });
});

describe('a browser that can\u2019t make calls', () => {
  it('is said once: video off for good, and everyone, the sender included, is told', () => {
    const said = setVideo(active(), 'visitor', false, false);
    expect(said.ok && said.effects).toEqual(
      ['visitor', 'agent'].map((to) => ({
        kind: 'peer-media',
        to,
        peerId: 'visitor',
        media: { video: false, paused: false, webrtc: false },
      })),
    );
    const s = ok(said);
    const again = setVideo(s, 'visitor', false, false);
    expect(again.ok && again.session).toBe(s);
    expect(again.ok && again.effects).toEqual([]);
    // It can't be taken back, nor the video turned on without calls.
    expect(setVideo(s, 'visitor', true)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(setVideo(active(), 'visitor', true, false)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    // Nobody connects to it, so no connection with it can be started over, from either side.
    expect(restartPair(s, 'agent', 'visitor')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    expect(restartPair(s, 'visitor', 'agent')).toEqual({ ok: false, code: ErrorCode.Forbidden });
    // Turning the video off again changes nothing of it.
    expect(ok(setVideo(s, 'visitor', false)).participants[0]!.media).toEqual({
      video: false,
      paused: false,
      webrtc: false,
    });
  });
});
