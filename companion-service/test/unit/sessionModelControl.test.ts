import { ErrorCode } from '../../src/protocol/codes';
import { answerControl, mayControl, releaseControl, requestControl } from '../../src/sessions/model';
import { active as activeWith, ok } from '../helpers/sessionFixtures';

/** An active session whose agent may ask for remote control (unless given other privileges). */
const active = (privileges = ['Tandem_Remote_Control']) => activeWith(privileges);

describe('remote control', () => {
  it('starts off; a request prompts the visitor with the agent name', () => {
    expect(active().control).toEqual({ state: 'off', agentId: null });
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
    expect(ok(answerControl(requested, 'visitor', false)).control).toEqual({ state: 'off', agentId: null });
  });

  it('either side can end it at any time', () => {
    const on = ok(answerControl(ok(requestControl(active(), 'agent')), 'visitor', true));
    expect(ok(releaseControl(on, 'visitor')).control.state).toBe('off');
    expect(ok(releaseControl(on, 'agent')).control.state).toBe('off');
    expect(mayControl(ok(releaseControl(on, 'visitor')), 'agent')).toBe(false);
  });
});
