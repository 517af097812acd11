import { randomInt } from 'node:crypto';
import { generateCode } from '../../src/sessions/codes';

describe('session codes', () => {
  it('are digits of the configured length', () => {
    let i = 0;
    const digits = [4, 2, 0, 9, 1, 7, 3, 3];
    expect(
      generateCode(
        8,
        () => false,
        () => digits[i++]!,
      ),
    ).toBe('42091733');
  });

  it('skip codes that are in use by live sessions', () => {
    const sequence = ['1', '1', '1', '2', '2', '2'].map(Number);
    let i = 0;
    const taken = new Set(['111']);
    expect(
      generateCode(
        3,
        (c) => taken.has(c),
        () => sequence[i++]!,
      ),
    ).toBe('222');
  });

  it('fail loudly instead of looping when every code is taken', () => {
    expect(() =>
      generateCode(
        4,
        () => true,
        () => 0,
        10,
      ),
    ).toThrow(/no free session code/);
  });

  it('are spread over the whole range with a real random source', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 500; n++)
      seen.add(
        generateCode(
          6,
          (c) => seen.has(c),
          () => randomInt(10),
        ),
      );
    expect(seen.size).toBe(500);
    for (const code of seen) expect(code).toMatch(/^\d{6}$/);
  });
});
