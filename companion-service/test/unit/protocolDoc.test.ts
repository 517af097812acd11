import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { PROTOCOL, PROTOCOL_DOC, protocolDoc } from '../../scripts/protocolDoc';
import { CloseCode, EndReason, ErrorCode, LeaveReason, TermsClosedReason } from '../../src/protocol/codes';
import { errorText } from '../../src/protocol/errorText';
import { ClientMessages, ServerMessages } from '../../src/protocol/messages';

/** Throws, saying how to fix it, when the file on disk is not what the generator makes now. */
function expectCurrent(onDisk: string, generated: string): void {
  if (onDisk === generated) return;
  const disk = onDisk.split('\n');
  const made = generated.split('\n');
  const line = disk.findIndex((text, i) => text !== made[i]);
  const at = line < 0 ? made.length : line;
  throw new Error(
    `docs/protocol.md is stale: run \`npm run docs:protocol\`.\nFirst difference at line ${at + 1}:\n  on disk:   ${disk[at] ?? '(end)'}\n  generated: ${made[at] ?? '(end)'}`,
  );
}

const onDisk = () => readFileSync(PROTOCOL_DOC, 'utf8');

/** The part of the document from one heading to the next of the same level. */
function section(doc: string, heading: string): string {
  const level = heading.match(/^#+/)![0];
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = doc.indexOf(`\n${level} `, start + heading.length + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

describe('docs/protocol.md', () => {
  it('is what the schemas make now', () => {
    expectCurrent(onDisk(), protocolDoc());
  });

  it('is the same text every time it is made', () => {
    expect(protocolDoc()).toBe(protocolDoc());
  });

  it('goes stale when a message changes, and says how to fix it', () => {
    const longerToken = Type.Object(
      { type: Type.Literal('agent.join'), token: Type.String({ minLength: 1, maxLength: 8192 }), code: Type.String() },
      { additionalProperties: false },
    );
    const changed = { ...PROTOCOL, client: { ...PROTOCOL.client, 'agent.join': longerToken } };
    expect(() => expectCurrent(onDisk(), protocolDoc(changed))).toThrow(
      'docs/protocol.md is stale: run `npm run docs:protocol`.',
    );
  });

  it('goes stale when an error text changes', () => {
    const changed = {
      ...PROTOCOL,
      valueSets: PROTOCOL.valueSets.map((set) => (set.text ? { ...set, text: () => 'Something else.' } : set)),
    };
    expect(() => expectCurrent(onDisk(), protocolDoc(changed))).toThrow('is stale');
  });
});

describe('what the protocol document holds', () => {
  const doc = protocolDoc();

  it('every message, both ways, with its fields', () => {
    const client = section(doc, '## Client to server');
    for (const type of Object.keys(ClientMessages)) expect(client).toContain(`\n### \`${type}\`\n`);
    const server = section(doc, '## Server to client');
    for (const type of Object.keys(ServerMessages)) expect(server).toContain(`\n### \`${type}\`\n`);
    expect(section(client, '### `visitor.hello`')).toContain(
      '| `visitorToken` | string | yes | 16 to 4096 characters |',
    );
  });

  it('limits, patterns and which fields are optional', () => {
    const watch = section(doc, '### `agent.watch`');
    expect(watch).toContain('| `visitorIds` | array of string | yes | 1 to 50 items; each 1 to 128 characters |');
    expect(watch).toContain('| `id` | string | no | 1 to 40 characters; pattern `^[A-Za-z0-9_-]{1,40}$` |');
    expect(section(doc, '### `probe`')).toContain('| `id` | string | yes |');
    expect(section(doc, '### `guest.request`')).toContain(
      '| `name` | string | yes | 1 to 80 characters; pattern `^[^\\u0000-\\u001f\\u007f]+$` |',
    );
    // A field of a shared shape links to it, and the shape is documented once.
    expect(section(doc, '### `peer.joined`')).toContain('[`PeerLink`](#peerlink)');
    expect(section(doc, '### PeerLink')).toContain('| `gen` | integer | yes | 1 to 1000000 |');
  });

  it('what answers each request', () => {
    expect(section(doc, '### `visitor.start`')).toContain('Answered by `session.created`, or an `error`.');
    expect(section(doc, '### `media.set`')).toContain('Answered only when refused (an `error`).');
    expect(section(section(doc, '## Server to client'), '### `session.joined`')).toContain(
      'Answers `agent.join`, `session.resume`, `terms.accept`.',
    );
  });

  it('every error code with its text, every close code and reason', () => {
    const codes = section(doc, '## Error codes');
    for (const code of Object.values(ErrorCode)) expect(codes).toContain(`| \`${code}\` | ${errorText(code)} |`);
    const closes = section(doc, '## Close codes');
    for (const [name, value] of Object.entries(CloseCode)) expect(closes).toContain(`| ${value} | ${name} |`);
    for (const [heading, values] of [
      ['## End reasons', EndReason],
      ['## Leave reasons', LeaveReason],
      ['## Terms prompt reasons', TermsClosedReason],
    ] as const) {
      for (const value of Object.values(values)) expect(section(doc, heading)).toContain(`- \`${value}\``);
    }
    expect(section(doc, '### `session.ended`')).toContain('one of the [end reasons](#end-reasons)');
  });
});
