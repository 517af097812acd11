import { readCanonicalSignal } from '../../src/protocol/canonicalSignal';
import { SignalLimits } from '../../src/protocol/messages';
import { parseClientMessage } from '../../src/protocol/validate';

const FROM = 'visitor_0123456789abcde';
const TO = 'agent_0123456789abcdef';
const SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n';
const CANDIDATE = {
  candidate: 'candidate:842163049 1 udp 1677729535 192.168.1.2 56143 typ srflx',
  sdpMLineIndex: 0,
  sdpMid: '0',
};

/** What our clients send: JSON.stringify of {type, from, to, gen, data} around simple-peer's signal object. */
const frame = (data: unknown, gen = 1, to = TO, from = FROM) => JSON.stringify({ type: 'signal', from, to, gen, data });

/** The authority: what the full parse and schema check make of the same text. */
function authority(text: string): { from: string; to: string; gen: number } | undefined {
  const parsed = parseClientMessage(text);
  if (!parsed.ok || parsed.message.type !== 'signal') return undefined;
  return { from: parsed.message.from, to: parsed.message.to, gen: parsed.message.gen };
}

/** The property the fast path must keep: whatever it accepts, the schema accepts with the same route. */
function expectAgreement(text: string): boolean {
  const fast = readCanonicalSignal(text);
  if (fast) expect({ from: fast.from, to: fast.to, gen: fast.gen }).toEqual(authority(text));
  return fast !== undefined;
}

describe('canonical signal frames', () => {
  it('reads every form our clients send: offer, answer and candidates with or without optional fields', () => {
    const frames = [
      frame({ type: 'offer', sdp: SDP }),
      frame({ type: 'answer', sdp: SDP }, 7),
      frame({ type: 'candidate', candidate: CANDIDATE }),
      frame({ type: 'candidate', candidate: { candidate: '' } }),
      frame({ type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: null, sdpMid: null } }),
      frame({ type: 'candidate', candidate: { ...CANDIDATE, usernameFragment: 'sP9u' } }),
      frame({ type: 'candidate', candidate: { ...CANDIDATE, sdpMLineIndex: SignalLimits.sdpMLineIndex } }),
      frame({ type: 'offer', sdp: 'quotes " backslash \\ slash / tab \t ü 日本 😀 \u0001' }),
      frame({ type: 'offer', sdp: 'x'.repeat(SignalLimits.sdp) }),
      frame({ type: 'offer', sdp: SDP }, 1_000_000),
    ];
    for (const text of frames) {
      expect(readCanonicalSignal(text)).toEqual({ type: 'signal', ...authority(text) });
    }
    expect(readCanonicalSignal(frame({ type: 'answer', sdp: SDP }, 42, 'visitor-1234', 'agent-5678'))).toEqual({
      type: 'signal',
      from: 'agent-5678',
      to: 'visitor-1234',
      gen: 42,
    });
  });

  it('leaves valid frames in any other spelling to the full parse, which accepts them', () => {
    const others = [
      ` ${frame({ type: 'offer', sdp: SDP })}`,
      JSON.stringify({ type: 'signal', from: FROM, to: TO, gen: 1, data: { type: 'offer', sdp: SDP } }, null, 2),
      JSON.stringify({ to: TO, type: 'signal', from: FROM, gen: 1, data: { type: 'offer', sdp: SDP } }),
      JSON.stringify({ type: 'signal', to: TO, from: FROM, gen: 1, data: { type: 'offer', sdp: SDP } }),
      JSON.stringify({ type: 'signal', from: FROM, to: TO, gen: 1, data: { sdp: SDP, type: 'offer' } }),
      // A repeated "from": JSON.parse keeps the last, on the server and in the recipient's browser alike.
      `{"type":"signal","from":"${TO}","to":"${TO}","gen":1,"data":{"type":"offer","sdp":"x"},"from":"${FROM}"}`,
      frame({ type: 'candidate', candidate: { sdpMid: '0', candidate: 'c' } }),
      frame({ type: 'renegotiate', renegotiate: true }),
      frame({ type: 'transceiverRequest', transceiverRequest: { kind: 'video' } }),
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":1.0,"data":{"type":"offer","sdp":"x"}}`,
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":1,"data":{"type":"offer","sdp":"\\u0078"}}`.replace(
        '\\u0078',
        '\\u00',
      ),
      // Within the limit once parsed, over it as JSON text: the fast path cannot tell, so it defers.
      frame({ type: 'offer', sdp: '\n'.repeat(SignalLimits.sdp) }),
    ];
    const valid = others.filter((text) => authority(text) !== undefined);
    expect(valid.length).toBe(others.length - 1); // the truncated \u escape is the one invalid frame
    for (const text of others) expect(readCanonicalSignal(text)).toBeUndefined();
  });

  it('accepts nothing the schema refuses', () => {
    const refused = [
      frame({ type: 'offer', sdp: 'x'.repeat(SignalLimits.sdp + 1) }),
      frame({ type: 'candidate', candidate: { candidate: 'c'.repeat(SignalLimits.candidate + 1) } }),
      frame({ type: 'candidate', candidate: { candidate: 'c', sdpMid: 'm'.repeat(SignalLimits.sdpMid + 1) } }),
      frame({
        type: 'candidate',
        candidate: { candidate: 'c', usernameFragment: 'u'.repeat(SignalLimits.usernameFragment + 1) },
      }),
      frame({ type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: SignalLimits.sdpMLineIndex + 1 } }),
      frame({ type: 'candidate', candidate: { candidate: 'c', extra: 1 } }),
      frame({ type: 'offer', sdp: SDP, extra: 1 }),
      frame({ type: 'offer', sdp: SDP }, 0),
      frame({ type: 'offer', sdp: SDP }, 1_000_001),
      frame({ type: 'offer', sdp: SDP }, 1, 'short'),
      frame({ type: 'offer', sdp: SDP }, 1, '../../etc/passwd'),
      frame({ type: 'offer', sdp: SDP }, 1, TO, 'short'),
      frame({ type: 'offer', sdp: SDP }, 1, TO, '"quoted"-0123456789abcdef'),
      JSON.stringify({ type: 'signal', to: TO, gen: 1, data: { type: 'offer', sdp: SDP } }),
      frame({ type: 'pranswer', sdp: SDP }),
      frame({ type: 'offer', sdp: 5 }),
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":01,"data":{"type":"offer","sdp":"x"}}`,
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":1,"data":{"type":"offer","sdp":"raw\ncontrol"}}`,
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":1,"data":{"type":"offer","sdp":"bad \\x escape"}}`,
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":1,"data":{"type":"offer","sdp":"unterminated \\"}}`,
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":1,"data":{"type":"offer","sdp":"x"}}}`,
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":1,"data":{"type":"offer","sdp":"x"}`,
      `{"type":"signal","from":"${FROM}","to":"${TO}","gen":1,"data":{"type":"offer","sdp":"x"}},"extra":1}`,
    ];
    for (const text of refused) {
      expect(authority(text)).toBeUndefined();
      expect(readCanonicalSignal(text)).toBeUndefined();
    }
  });

  it('agrees with the schema on thousands of randomly damaged frames', () => {
    // A fixed seed, so a failure can be replayed.
    let seed = 0x2f6e2b1;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = [
      '"',
      '\\',
      '{',
      '}',
      ',',
      ':',
      '0',
      '1',
      '9',
      'u',
      'n',
      'x',
      ' ',
      '\n',
      '\u0001',
      'é',
      '😀',
      '\\u',
      '\\n',
      'null',
      '"sdp":',
    ];
    const seeds = [
      frame({ type: 'offer', sdp: SDP }),
      frame({ type: 'candidate', candidate: CANDIDATE }),
      frame({ type: 'candidate', candidate: { ...CANDIDATE, usernameFragment: 'abcd' } }),
    ];
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = seeds[random(seeds.length)]!;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const piece = pieces[random(pieces.length)]!;
        const kind = random(3);
        text = text.slice(0, at) + (kind === 2 ? '' : piece) + text.slice(kind === 0 ? at : at + 1);
      }
      if (expectAgreement(text)) accepted++;
    }
    // Damage inside a string often leaves a valid frame: make sure the comparison exercised the fast path.
    expect(accepted).toBeGreaterThan(1_000);
  });
});
