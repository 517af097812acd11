import { EndReason, ErrorCode, LeaveReason } from '../../src/protocol/codes';
import type { PeerInfo, PeerLink, ServerMessage, SessionJoined } from '../../src/protocol/messages';
import {
  initialSessionState,
  isOver,
  isSendingVideo,
  isVideoVisible,
  participant,
  participantsWithRole,
  reduceSession,
  videoShows,
  type SessionAction,
  type SessionState,
} from '../../web/shared/sessionState';

/* The clients' one session state: messages in, state out. */

const ON = { video: true, paused: false };
const OFF = { video: false, paused: false };
const ids = {
  self: 'self-id-0001',
  agent: 'agent-id-001',
  visitor: 'visitor-id-1',
  guest: 'guest-id-001',
  guest2: 'guest-id-002',
};

function peer(id: string, role: PeerInfo['role'], name?: string, media = ON): PeerInfo {
  return { id, role, ...(name ? { name } : {}), media };
}
const link = (p: PeerInfo, gen = 1): PeerLink => ({ peer: p, initiator: false, gen });

function joinedMessage(peers: PeerInfo[], o: Partial<SessionJoined> = {}): SessionJoined {
  return {
    type: 'session.joined',
    sessionId: 'session-id-01',
    code: '123456',
    self: { id: ids.self, role: 'agent', media: OFF, privileges: ['Tandem_Agent_Video'] },
    resumeToken: 'resume-token-0123456789',
    iceServers: [],
    peers: peers.map((p) => link(p)),
    resumed: false,
    maskSelectors: ['.card'],
    control: 'off',
    ...o,
  };
}

const run = (actions: SessionAction[], from: SessionState = initialSessionState()) =>
  actions.reduce(reduceSession, from);
const names = (s: SessionState) => s.participants.map((p) => p.id);

describe('joining', () => {
  it('starts connecting, with nobody and nothing over', () => {
    const s = initialSessionState();
    expect(s.status).toBe('connecting');
    expect(s.participants).toEqual([]);
    expect(isOver(s)).toBe(false);
  });

  it('session.joined gives self, everyone present, control and the mask selectors', () => {
    const s = run([
      joinedMessage([peer(ids.visitor, 'visitor'), peer(ids.guest, 'guest', 'Gil', OFF)], { control: 'on' }),
    ]);
    expect(s.status).toBe('joined');
    expect(s.sessionId).toBe('session-id-01');
    expect(s.code).toBe('123456');
    expect(s.self).toEqual({ id: ids.self, role: 'agent', media: OFF, privileges: ['Tandem_Agent_Video'] });
    expect(s.participants).toEqual([
      { id: ids.visitor, role: 'visitor', media: ON, away: false, stream: false },
      { id: ids.guest, role: 'guest', name: 'Gil', media: OFF, away: false, stream: false },
    ]);
    expect(s.control).toEqual({ state: 'on' });
    expect(s.maskSelectors).toEqual(['.card']);
    expect(s.visitorSeen).toBe(true);
    expect(s.resumed).toBe(false);
  });

  it('code flow: session.created has the code and its expiry, then the agent arrives by peer.joined', () => {
    const created: ServerMessage = {
      type: 'session.created',
      sessionId: 'session-id-01',
      code: '654321',
      codeExpiresAt: 1000,
      self: { id: ids.self, role: 'visitor', media: ON, privileges: [] },
      resumeToken: 'resume-token-0123456789',
      iceServers: [],
      maskSelectors: [],
    };
    const s = run([created]);
    expect(s).toMatchObject({ status: 'created', code: '654321', codeExpiresAt: 1000 });
    const withAgent = run([{ type: 'peer.joined', link: link(peer(ids.agent, 'agent', 'Ana', OFF)) }], s);
    expect(participantsWithRole(withAgent, 'agent').map((p) => p.name)).toEqual(['Ana']);
    // We are the visitor: no other customer has been here.
    expect(withAgent.visitorSeen).toBe(false);
  });

  it('a guest waits with a code (admission), then joins', () => {
    const waiting = run([{ type: 'guest.code', code: '987654', expiresAt: 5000, extensionsLeft: 2 }]);
    expect(waiting.status).toBe('admission');
    expect(waiting.admission).toEqual({ code: '987654', expiresAt: 5000, extensionsLeft: 2 });
    const extended = run([{ type: 'guest.code', code: '987654', expiresAt: 9000, extensionsLeft: 1 }], waiting);
    expect(extended.admission?.extensionsLeft).toBe(1);
    const inCall = run(
      [joinedMessage([peer(ids.agent, 'agent')], { self: { id: ids.self, role: 'guest', media: ON, privileges: [] } })],
      extended,
    );
    expect(inCall.status).toBe('joined');
    expect(inCall.admission).toBeUndefined();
  });
});

describe('peers, duplicated and out of order', () => {
  const base = run([joinedMessage([peer(ids.visitor, 'visitor')])]);

  it('a duplicate peer.joined updates the one entry, keeping its place and stream', () => {
    const s = run(
      [
        { type: 'peer.joined', link: link(peer(ids.guest, 'guest', 'Gil')) },
        { type: 'client.stream', peerId: ids.guest, present: true },
        { type: 'peer.joined', link: link(peer(ids.guest, 'guest', 'Gil B.', OFF)) },
      ],
      base,
    );
    expect(names(s)).toEqual([ids.visitor, ids.guest]);
    expect(participant(s, ids.guest)).toMatchObject({ name: 'Gil B.', media: OFF, stream: true });
  });

  it('pair.reset upserts the peer (a new generation is no new participant)', () => {
    const s = run([{ type: 'pair.reset', link: link(peer(ids.visitor, 'visitor'), 2) }], base);
    expect(names(s)).toEqual([ids.visitor]);
  });

  it('anything about a peer that is not here changes nothing', () => {
    for (const action of [
      { type: 'peer.left', peerId: ids.guest, reason: LeaveReason.Hangup },
      { type: 'peer.away', peerId: ids.guest },
      { type: 'peer.back', peerId: ids.guest },
      { type: 'peer.media', peerId: ids.guest, media: OFF },
      { type: 'client.stream', peerId: ids.guest, present: true },
    ] as SessionAction[]) {
      expect(reduceSession(base, action)).toBe(base);
    }
  });

  it('a peer that left stays gone: a late pair.reset, peer.media or duplicate peer.left is ignored', () => {
    const joined = run([{ type: 'peer.joined', link: link(peer(ids.guest, 'guest', 'Gil')) }], base);
    const left = run([{ type: 'peer.left', peerId: ids.guest, reason: LeaveReason.Ejected }], joined);
    expect(names(left)).toEqual([ids.visitor]);
    for (const late of [
      { type: 'pair.reset', link: link(peer(ids.guest, 'guest', 'Gil'), 3) },
      { type: 'peer.joined', link: link(peer(ids.guest, 'guest', 'Gil')) },
      { type: 'peer.media', peerId: ids.guest, media: OFF },
      { type: 'peer.left', peerId: ids.guest, reason: LeaveReason.Ejected },
    ] as SessionAction[]) {
      expect(reduceSession(left, late)).toBe(left);
    }
  });

  it('repeated away/back and media that did not change return the same state', () => {
    const away = run([{ type: 'peer.away', peerId: ids.visitor }], base);
    expect(participant(away, ids.visitor)?.away).toBe(true);
    expect(reduceSession(away, { type: 'peer.away', peerId: ids.visitor })).toBe(away);
    const back = run([{ type: 'peer.back', peerId: ids.visitor }], away);
    expect(participant(back, ids.visitor)?.away).toBe(false);
    expect(reduceSession(back, { type: 'peer.media', peerId: ids.visitor, media: { ...ON } })).toBe(back);
  });

  it('a message about ourselves is not a participant', () => {
    const s = run([{ type: 'peer.joined', link: link(peer(ids.self, 'agent')) }], base);
    expect(s).toBe(base);
  });
});

describe('media and what is visible', () => {
  const base = run([joinedMessage([peer(ids.visitor, 'visitor'), peer(ids.guest, 'guest', 'Gil')])]);

  it('a remote video shows once its stream is here and while video is on and not paused', () => {
    expect(isVideoVisible(base, ids.guest)).toBe(false); // no stream yet
    const streaming = run([{ type: 'client.stream', peerId: ids.guest, present: true }], base);
    expect(streaming.mediaSeen).toBe(true);
    expect(isVideoVisible(streaming, ids.guest)).toBe(true);
    const paused = run([{ type: 'peer.media', peerId: ids.guest, media: { video: true, paused: true } }], streaming);
    expect(isVideoVisible(paused, ids.guest)).toBe(false);
    const off = run([{ type: 'peer.media', peerId: ids.guest, media: OFF }], streaming);
    expect(isVideoVisible(off, ids.guest)).toBe(false);
    const closed = run([{ type: 'client.stream', peerId: ids.guest, present: false }], streaming);
    expect(isVideoVisible(closed, ids.guest)).toBe(false);
    expect(closed.mediaSeen).toBe(true);
    expect(isVideoVisible(base, 'nobody-here-1')).toBe(false);
  });

  it('a peer that says its browser can\u2019t make calls is known for it, with its video already off', () => {
    // The agent's console joins with video off and says "no calls here" right after: only `webrtc` changes. Before,
    // the state kept the old media, and the customer's page took the agent for one it could call.
    const off = run([{ type: 'peer.media', peerId: ids.guest, media: OFF }], base);
    const noCalls = run([{ type: 'peer.media', peerId: ids.guest, media: { ...OFF, webrtc: false } }], off);
    expect(participant(noCalls, ids.guest)?.media.webrtc).toBe(false);
    const self = run([{ type: 'peer.media', peerId: ids.self, media: { ...OFF, webrtc: false } }], base);
    expect(self.self?.media.webrtc).toBe(false);
  });

  it('videoShows is the single rule', () => {
    expect(videoShows(ON, true)).toBe(true);
    expect(videoShows(ON, false)).toBe(false);
    expect(videoShows(OFF, true)).toBe(false);
    expect(videoShows({ video: true, paused: true }, true)).toBe(false);
  });

  it('our own video: the switch applies at once, the server confirms by peer.media, the agent can pause it', () => {
    expect(isSendingVideo(base)).toBe(false); // agents start with video off
    const on = run([{ type: 'client.video', video: true }], base);
    expect(isSendingVideo(on)).toBe(true);
    expect(isVideoVisible(on, ids.self)).toBe(true);
    const confirmed = run([{ type: 'peer.media', peerId: ids.self, media: ON }], on);
    expect(confirmed).toBe(on);
    const paused = run([{ type: 'peer.media', peerId: ids.self, media: { video: true, paused: true } }], confirmed);
    expect(isSendingVideo(paused)).toBe(false);
  });

  it('a video_paused refusal means we are paused', () => {
    const s = run(
      [{ type: 'error', code: ErrorCode.VideoPaused, message: 'Paused by the agent.', inReplyTo: 'media.set' }],
      base,
    );
    expect(s.self?.media.paused).toBe(true);
    expect(isOver(s)).toBe(false);
  });

  it('client.video before we know who we are changes nothing', () => {
    const s = initialSessionState();
    expect(reduceSession(s, { type: 'client.video', video: false })).toBe(s);
  });
});

describe('resume', () => {
  it('keeps who is still here (place, stream, away), drops who left meanwhile, adds newcomers', () => {
    const before = run([
      joinedMessage([peer(ids.visitor, 'visitor'), peer(ids.guest, 'guest', 'Gil')]),
      { type: 'client.stream', peerId: ids.visitor, present: true },
      { type: 'client.connection', state: 'reconnecting' },
    ]);
    expect(before.status).toBe('reconnecting');
    const after = run(
      [
        joinedMessage([peer(ids.guest2, 'guest', 'Hana'), peer(ids.visitor, 'visitor', undefined, OFF)], {
          resumed: true,
        }),
      ],
      before,
    );
    expect(after.status).toBe('joined');
    expect(after.resumed).toBe(true);
    expect(names(after)).toEqual([ids.visitor, ids.guest2]);
    expect(participant(after, ids.visitor)).toMatchObject({ stream: true, media: OFF });
    expect(after.departed).toContain(ids.guest);
    // The guest who left while we were away does not come back with a stale message.
    expect(reduceSession(after, { type: 'pair.reset', link: link(peer(ids.guest, 'guest'), 2) })).toBe(after);
  });

  it('a refused resume is over, with the error code and message', () => {
    const s = run([
      joinedMessage([peer(ids.visitor, 'visitor')]),
      { type: 'client.connection', state: 'reconnecting' },
      {
        type: 'error',
        code: ErrorCode.ResumeFailed,
        message: 'The session could not be resumed.',
        inReplyTo: 'session.resume',
      },
    ]);
    expect(s.status).toBe('over');
    expect(s.end).toEqual({
      kind: 'refused',
      reason: ErrorCode.ResumeFailed,
      message: 'The session could not be resumed.',
    });
  });
});

describe('the end', () => {
  const base = run([joinedMessage([peer(ids.visitor, 'visitor')])]);

  it('session.ended is over with its reason, and nothing changes the state afterwards', () => {
    const ended = run([{ type: 'session.ended', reason: EndReason.VisitorHangup }], base);
    expect(ended.status).toBe('over');
    expect(ended.end).toEqual({ kind: 'ended', reason: EndReason.VisitorHangup });
    for (const later of [
      { type: 'client.connection', state: 'closed' },
      { type: 'peer.left', peerId: ids.visitor, reason: LeaveReason.Hangup },
      { type: 'session.ended', reason: EndReason.AgentEnded },
      joinedMessage([], { resumed: true }),
    ] as SessionAction[]) {
      expect(reduceSession(ended, later)).toBe(ended);
    }
  });

  it('a socket closed for good is over as lost, with its detail', () => {
    expect(run([{ type: 'client.connection', state: 'closed' }], base).end).toEqual({
      kind: 'lost',
      reason: 'connection_lost',
    });
    expect(run([{ type: 'client.connection', state: 'closed', detail: 'session ended' }], base).end).toEqual({
      kind: 'lost',
      reason: 'session ended',
    });
  });

  it('a removed guest, a refused join and our own hang-up are over too', () => {
    expect(run([{ type: 'guest.removed', reason: 'ejected' }], base).end).toEqual({
      kind: 'removed',
      reason: 'ejected',
    });
    expect(
      run([{ type: 'error', code: ErrorCode.InvalidTicket, message: 'No.', inReplyTo: 'agent.join' }]).end?.kind,
    ).toBe('refused');
    expect(
      run([{ type: 'error', code: ErrorCode.InvalidInvite, message: 'No.', inReplyTo: 'guest.request' }]).end?.kind,
    ).toBe('refused');
    expect(run([{ type: 'client.left', reason: 'visitor_hangup' }], base).end).toEqual({
      kind: 'left',
      reason: 'visitor_hangup',
    });
  });

  it('other errors leave the session as it is', () => {
    expect(
      reduceSession(base, {
        type: 'error',
        code: ErrorCode.InvalidCode,
        message: 'No guest.',
        inReplyTo: 'guest.admit',
      }),
    ).toBe(base);
  });
});

describe('remote control', () => {
  it('follows control.state, with the asking agent\u2019s name', () => {
    const base = run([joinedMessage([peer(ids.agent, 'agent', 'Ana')], { control: 'on' })]);
    expect(base.control).toEqual({ state: 'on' });
    const requested = run([{ type: 'control.state', state: 'requested', agentName: 'Ana' }], base);
    expect(requested.control).toEqual({ state: 'requested', agentName: 'Ana' });
  });
});
