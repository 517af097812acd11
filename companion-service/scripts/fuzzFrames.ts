/* The fuzzer's frames: a corpus of well-formed client messages of every type (some with real credentials, so the
 * mutations reach the handlers behind validation), and mutations of them that a hostile or broken client could send:
 * fields dropped or of the wrong type, oversized and deeply nested values, prototype keys, duplicate keys, unicode,
 * truncated and bit-flipped text, binary frames. */

export interface Random {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
}

export interface Frame {
  data: string | Buffer;
  binary: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ID = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const mods = { alt: false, ctrl: false, meta: false, shift: false };

export function frameCorpus(real: { agentToken: string; code: string }): Json[] {
  return [
    { type: 'visitor.start' },
    { type: 'visitor.hello', visitorToken: 'e30.AAAA' },
    { type: 'visitor.active' },
    { type: 'agent.join', token: real.agentToken, code: real.code },
    { type: 'agent.join', ticket: 'a'.repeat(40) },
    { type: 'agent.watch', token: real.agentToken, visitorIds: ['003000000000001AAA'] },
    { type: 'session.resume', resumeToken: 'r'.repeat(32) },
    { type: 'signal', from: ID, to: ID, gen: 1, data: { type: 'offer', sdp: 'v=0\r\n' } },
    {
      type: 'signal',
      from: ID,
      to: ID,
      gen: 1,
      data: {
        type: 'candidate',
        candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      },
    },
    {
      type: 'signal',
      from: ID,
      to: ID,
      gen: 1,
      data: { type: 'transceiverRequest', transceiverRequest: { kind: 'video', init: { direction: 'sendrecv' } } },
    },
    { type: 'pair.restart', peerId: ID, gen: 2 },
    { type: 'session.leave' },
    { type: 'session.end' },
    { type: 'terms.accept', invitationId: ID, termsVersion: '2026-11' },
    { type: 'terms.decline', invitationId: ID },
    { type: 'guest.invite.create' },
    { type: 'guest.request', invite: 'i'.repeat(32), name: 'Guest' },
    { type: 'guest.extend' },
    { type: 'guest.admit', code: '123456' },
    { type: 'guest.eject', peerId: ID },
    { type: 'peer.pause', peerId: ID, paused: true },
    { type: 'media.set', video: false },
    { type: 'problem.report', description: 'It broke', diagnostics: { rtt: 12, browser: 'x' } },
    { type: 'cobrowse.events', seq: 0, part: 0, parts: 1, snapshot: true, encoding: 'json', data: '[]' },
    { type: 'cobrowse.snapshot.request' },
    { type: 'control.request' },
    { type: 'control.answer', granted: true },
    { type: 'control.release' },
    {
      type: 'control.input',
      action: { kind: 'key', phase: 'down', key: 'a', code: 'KeyA', location: 0, repeat: false, mods },
    },
    {
      type: 'control.input',
      action: { kind: 'click', type: 'click', nodeId: 1, x: 1, y: 1, w: 10, h: 10, button: 0, detail: 1, mods },
    },
    { type: 'control.input', action: { kind: 'text', inputType: 'insertText', data: 'hello' } },
    { type: 'control.input', action: { kind: 'choose', nodeId: 3, selected: [0, 1] } },
    { type: 'control.navigate', action: 'back' },
    { type: 'a11y.read', nodeId: 5 },
    { type: 'share.start', streamId: 'screen-1' },
    { type: 'share.request' },
    { type: 'share.answer', granted: true, streamId: 'screen-2' },
    { type: 'share.answer', granted: false },
    { type: 'share.stop' },
  ];
}

const HOSTILE_VALUES: Json[] = [
  null,
  true,
  -1,
  1e308,
  1.5,
  '',
  'x'.repeat(70_000),
  '\u0000\ud800\uffff',
  '<script>alert(1)</script>',
  [],
  {},
  { __proto__: { polluted: true } } as Json,
  Array.from({ length: 2000 }, (_, i) => i),
];

function deep(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** Changes one place in a message: a field dropped, replaced by something hostile, or an extra one added. */
function mutateValue(message: Json, random: Random): Json {
  const copy = clone(message);
  const paths: Array<{ parent: Record<string, Json> | Json[]; key: string | number }> = [];
  const walk = (node: Json) => {
    if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        paths.push({ parent: node as Record<string, Json>, key });
        walk((node as Record<string, Json>)[key] as Json);
      }
    }
  };
  walk(copy);
  const at = paths.length ? random.pick(paths) : undefined;
  if (!at) return random.pick(HOSTILE_VALUES);
  const parent = at.parent as Record<string, Json>;
  const roll = random.int(4);
  if (roll === 0) delete parent[at.key as string];
  else if (roll === 1) parent[at.key as string] = random.pick(HOSTILE_VALUES);
  else if (roll === 2) parent[`x${random.int(100)}`] = random.pick(HOSTILE_VALUES);
  else
    parent[at.key as string] = typeof parent[at.key as string] === 'string' ? random.int(1000) : `${random.int(1000)}`;
  return copy;
}

/** Damages the text itself: truncation, a flipped character, duplicate or prototype keys, nesting, junk. */
function mutateText(text: string, random: Random): string {
  switch (random.int(7)) {
    case 0:
      return text.slice(0, random.int(text.length));
    case 1: {
      const i = random.int(text.length);
      return text.slice(0, i) + String.fromCharCode(random.int(0x10000)) + text.slice(i + 1);
    }
    case 2:
      return text.replace('{', '{"type":"visitor.start",');
    case 3:
      return text.replace('{', '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},');
    case 4:
      return text.replace(/}$/, `,"nested":${deep(1000 + random.int(20_000))}}`);
    case 5:
      return `${text}${text}`;
    default:
      return text.replace(/"/g, random.next() < 0.5 ? "'" : '');
  }
}

export function mutate(message: Json, random: Random): Frame {
  const roll = random.int(20);
  if (roll === 0)
    return { data: Buffer.from(Array.from({ length: random.int(300) }, () => random.int(256))), binary: true };
  if (roll === 1)
    return {
      data: random.pick(['', 'null', '[]', '42', '"text"', '{}', '{"type":null}', '{"type":"nope"}']),
      binary: false,
    };
  if (roll === 2) return { data: 'x'.repeat(70_000 + random.int(300_000)), binary: false };
  if (roll < 6) return { data: JSON.stringify(message), binary: false };
  const value = random.next() < 0.6 ? mutateValue(message, random) : message;
  const text = JSON.stringify(value) ?? 'null';
  return { data: random.next() < 0.4 ? mutateText(text, random) : text, binary: false };
}
