import { createHash, webcrypto } from 'node:crypto';
import { formatClock, formatWords, localDeadline, secondsLeft } from '../../web/widget/countdown';
import { videoShows } from '../../web/shared/sessionState';
import { initials } from '../../web/shared/tiles';
import { displayName } from '../../web/widget/stage';
import { formatCode } from '../../web/widget/sessionView';
import { termsHash } from '../../web/widget/termsHash';

describe('terms hash', () => {
  it('is the lowercase hex SHA-256 of the exact UTF-8 text, as the server computes it', async () => {
    const subtle = webcrypto.subtle as unknown as SubtleCrypto;
    for (const text of ['Terms for the test.', 'Zeilen\nmit Umlauten: äöü – “quotes” 😀', '  spaces kept  ']) {
      const expected = createHash('sha256').update(text, 'utf8').digest('hex');
      expect(await termsHash(text, subtle)).toBe(expected);
    }
    expect(await termsHash('a', subtle)).toMatch(/^[0-9a-f]{64}$/);
    expect(await termsHash('a', subtle)).not.toBe(await termsHash('a ', subtle));
  });
});

describe('countdown to the prompt deadline', () => {
  it('counts whole seconds left, rounding up, never below zero', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 12_000)).toBe(0);
  });

  it('shows a clock and words', () => {
    expect(formatClock(65)).toBe('1:05');
    expect(formatClock(9)).toBe('0:09');
    expect(formatClock(600)).toBe('10:00');
    expect(formatWords(65)).toBe('1 minute 5 seconds');
    expect(formatWords(120)).toBe('2 minutes');
    expect(formatWords(1)).toBe('1 second');
    expect(formatWords(0)).toBe('0 seconds');
  });

  it('falls back to a plain duration when the two clocks disagree badly', () => {
    expect(localDeadline(61_000, 1_000)).toBe(61_000);
    expect(localDeadline(500, 1_000)).toBe(61_000); // already past on arrival
    expect(localDeadline(1_000 + 3_600_000, 1_000)).toBe(61_000); // an hour away: not a prompt deadline
  });
});

describe('participant names and video', () => {
  it('names people by what they typed, or by role', () => {
    expect(displayName({ role: 'agent', name: 'Ana Agent' })).toBe('Ana Agent');
    expect(displayName({ role: 'agent' })).toBe('Your agent');
    expect(displayName({ role: 'guest', name: '   ' })).toBe('Guest');
    expect(initials('Ana Maria Agent')).toBe('AA');
    expect(initials('Zoë')).toBe('Z');
    expect(initials('<b>x</b>')).toBe('<');
    expect(initials('')).toBe('?');
  });

  it('shows video only while it is on and not paused', () => {
    expect(videoShows({ video: true, paused: false }, true)).toBe(true);
    expect(videoShows({ video: false, paused: false }, true)).toBe(false);
    expect(videoShows({ video: true, paused: true }, true)).toBe(false);
  });

  it('groups a six-digit code for reading aloud', () => {
    expect(formatCode('123456')).toBe('123 456');
    expect(formatCode('1234')).toBe('1234');
  });
});
