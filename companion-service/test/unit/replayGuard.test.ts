import { guardTimer, isReplayEvent } from '../../web/cobrowse/replayGuard';

describe('the live view against a page stream it cannot show', () => {
  it("takes rrweb's event envelopes and nothing else", () => {
    expect(isReplayEvent({ type: 2, timestamp: 1, data: { node: {} } })).toBe(true);
    expect(isReplayEvent({ type: 3, timestamp: 1, data: { source: 0 } })).toBe(true);
    for (const bad of [
      null,
      'text',
      [],
      { type: 7, timestamp: 1, data: {} },
      { type: '3', timestamp: 1, data: {} },
      { type: 3, timestamp: Number.NaN, data: {} },
      { type: 3, timestamp: '1', data: {} },
      { type: 3, timestamp: 1, data: null },
      { type: 3, timestamp: 1 },
    ])
      expect({ bad, replayable: isReplayEvent(bad) }).toEqual({ bad, replayable: false });
  });

  it("runs the timer's other actions when one throws, and reports it", () => {
    const added: Array<{ doAction(): void; delay: number }> = [];
    const timer = { addAction: (action: { doAction(): void; delay: number }) => void added.push(action) };
    const failures: unknown[] = [];
    guardTimer(timer, (err) => failures.push(err));
    const ran: string[] = [];
    timer.addAction({ doAction: () => ran.push('first'), delay: 1 });
    timer.addAction({
      doAction: () => {
        throw new TypeError('positions is null');
      },
      delay: 2,
    });
    timer.addAction({ doAction: () => ran.push('third'), delay: 3 });
    for (const action of added) action.doAction(); // as rrweb's timer runs the actions due
    expect(ran).toEqual(['first', 'third']);
    expect(failures).toEqual([new TypeError('positions is null')]);
    expect(added.map((a) => a.delay)).toEqual([1, 2, 3]);
  });
});
