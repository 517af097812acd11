import { ErrorCode } from '../../src/protocol/codes';
import { admitAgent, answerControl, createSession, mayControl, releaseControl, requestControl, type Outcome, type Session } from '../../src/sessions/model';

const RULES = { maxParticipants: 6, resumeGraceMs: 20_000 };

function ok(outcome: Outcome): Session {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.code}`);
  return outcome.session;
}

function active(privileges = ['Tandem_Remote_Control']): Session {
  const s = createSession({ sessionId: 's', participantId: 'visitor', code: '123456', now: 0, codeTtlMs: 60_000 });
  return ok(admitAgent(s, { participantId: 'agent', identity: 'u', name: 'Ana', privileges, now: 1 }, RULES));
}

describe('remote control', () => {
  it('starts off; a request prompts the visitor with the agent name', () => {
    expect(active().control).toEqual({ state: 'off' });
    const outcome = requestControl(active(), 'agent');
    expect(ok(outcome).control).toEqual({ state: 'requested', agentId: 'agent' });
    expect(outcome.ok && outcome.effects).toEqual([
      { kind: 'control-state', to: 'visitor', state: 'requested', agentName: 'Ana' },
      { kind: 'control-state', to: 'agent', state: 'requested', agentName: 'Ana' },
    ]);
    expect(mayControl(ok(outcome), 'agent')).toBe(false);
  });

  it('needs the remote-control privilege', () => {
    expect(requestControl(active([]), 'agent')).toEqual({ ok: false, code: ErrorCode.NoPrivilege });
    expect(requestControl(active(), 'visitor')).toEqual({ ok: false, code: ErrorCode.Forbidden });
  });

  it('is on only once the visitor grants it, and only for the agent who asked', () => {
    const requested = ok(requestControl(active(), 'agent'));
    expect(answerControl(requested, 'agent', true)).toEqual({ ok: false, code: ErrorCode.Forbidden });
    const on = ok(answerControl(requested, 'visitor', true));
    expect(on.control).toEqual({ state: 'on', agentId: 'agent' });
    expect(mayControl(on, 'agent')).toBe(true);
    expect(mayControl(on, 'visitor')).toBe(false);
    expect(answerControl(on, 'visitor', true)).toEqual({ ok: false, code: ErrorCode.InvalidInvitation });
  });

  it('declined goes back to off', () => {
    const requested = ok(requestControl(active(), 'agent'));
    expect(ok(answerControl(requested, 'visitor', false)).control).toEqual({ state: 'off' });
  });

  it('either side can end it at any time', () => {
    const on = ok(answerControl(ok(requestControl(active(), 'agent')), 'visitor', true));
    expect(ok(releaseControl(on, 'visitor')).control.state).toBe('off');
    expect(ok(releaseControl(on, 'agent')).control.state).toBe('off');
    expect(mayControl(ok(releaseControl(on, 'visitor')), 'agent')).toBe(false);
  });
});
