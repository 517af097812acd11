import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox';
import { repoRoot } from '../src/paths';
import { CloseCode, EndReason, ErrorCode, LeaveReason, TermsClosedReason } from '../src/protocol/codes';
import * as controlActions from '../src/protocol/controlActions';
import { ClientMessageDescriptions, ServerMessageDescriptions } from '../src/protocol/descriptions';
import { errorText } from '../src/protocol/errorText';
import * as messages from '../src/protocol/messages';

/* Writes docs/protocol.md: the WebSocket protocol as the schemas in src/protocol/ define it (every message both
 * ways, its fields, their types and limits), with the error codes and their text, close codes and reasons.
 * `npm run docs:protocol`; a test fails when the file is stale. The HTTP API is in docs/openapi.json. */

export const PROTOCOL_DOC = path.join(repoRoot, 'docs', 'protocol.md');

/** A set of named values (error codes, reasons) documented in a section of its own. */
interface ValueSet {
  title: string;
  /** What the values are, one sentence. */
  about: string;
  values: Readonly<Record<string, string>>;
  /** Text shown next to each value (error codes: what people read). */
  text?: (value: string) => string;
}

/** Everything the document is made from, so a test can make it from something else. */
export interface ProtocolSource {
  client: Readonly<Record<string, TSchema>>;
  server: Readonly<Record<string, TSchema>>;
  replies: Readonly<Record<string, readonly string[]>>;
  descriptions: { client: Readonly<Record<string, string>>; server: Readonly<Record<string, string>> };
  /** Schemas documented once under their name, and linked from the fields that use them. */
  types: Readonly<Record<string, TSchema>>;
  valueSets: readonly ValueSet[];
  closeCodes: Readonly<Record<string, number>>;
}

const isSchema = (value: unknown): value is TSchema => typeof value === 'object' && value !== null && Kind in value;
const kindOf = (schema: TSchema): string => String(schema[Kind]);
const membersOf = (schema: TSchema): TSchema[] => (kindOf(schema) === 'Union' ? (schema.anyOf as TSchema[]) : []);
const isLiteralUnion = (schema: TSchema) =>
  kindOf(schema) === 'Union' && membersOf(schema).every((m) => kindOf(m) === 'Literal');
/** Optional() copies a schema, and JSON drops the symbol it marks it with: the same text is the same type. */
const keyOf = (schema: TSchema): string => JSON.stringify(schema);

/** The exported object and union schemas of the protocol's modules that are not messages themselves. */
export function namedTypes(modules: readonly object[], messageTypes: ReadonlySet<string>): Record<string, TSchema> {
  const isMessage = (schema: TSchema) => {
    const type = kindOf(schema) === 'Object' ? (schema.properties as Record<string, TSchema>).type : undefined;
    return type !== undefined && kindOf(type) === 'Literal' && messageTypes.has(String(type.const));
  };
  const named: Record<string, TSchema> = {};
  for (const module of modules) {
    for (const [name, value] of Object.entries(module)) {
      if (!isSchema(value)) continue;
      const shape = kindOf(value) === 'Object' || (kindOf(value) === 'Union' && !isLiteralUnion(value));
      const message = isMessage(value) || membersOf(value).some(isMessage);
      if (shape && !message) named[name] = value;
    }
  }
  return named;
}

const messageTypes = new Set([...Object.keys(messages.ClientMessages), ...Object.keys(messages.ServerMessages)]);

export const PROTOCOL: ProtocolSource = {
  client: messages.ClientMessages,
  server: messages.ServerMessages,
  replies: messages.Replies,
  descriptions: { client: ClientMessageDescriptions, server: ServerMessageDescriptions },
  types: namedTypes([messages, controlActions], messageTypes),
  valueSets: [
    {
      title: 'Error codes',
      about: 'The `code` of an `error` message (and of HTTP error bodies), with the text people are shown.',
      values: ErrorCode,
      text: (code) => errorText(code as ErrorCode),
    },
    {
      title: 'End reasons',
      about: 'The `reason` of `session.ended`: why the session ended, told to every member.',
      values: EndReason,
    },
    {
      title: 'Leave reasons',
      about: 'The `reason` of `peer.left` and `guest.removed`: why a participant left while the session goes on.',
      values: LeaveReason,
    },
    {
      title: 'Terms prompt reasons',
      about: "The `reason` of `terms.closed`: why the prompt closed without this tab's answer.",
      values: TermsClosedReason,
    },
  ],
  closeCodes: CloseCode,
};

// --- Markdown ----------------------------------------------------------------------------------------------------

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);
/** A table cell: pipes would end it, new lines would end the row. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

class Renderer {
  private readonly namesByKey = new Map<string, string>();
  private readonly setsByKey = new Map<string, string>();

  constructor(private readonly source: ProtocolSource) {
    for (const name of Object.keys(source.types).sort()) {
      const key = keyOf(source.types[name]!);
      if (!this.namesByKey.has(key)) this.namesByKey.set(key, name);
    }
    for (const set of source.valueSets) this.setsByKey.set(JSON.stringify(Object.values(set.values).sort()), set.title);
  }

  private nameOf(schema: TSchema): string | undefined {
    return this.namesByKey.get(keyOf(schema));
  }

  /** The value set a union of literals is exactly, if any. */
  private setOf(schema: TSchema): string | undefined {
    if (!isLiteralUnion(schema) && kindOf(schema) !== 'Literal') return undefined;
    const values = (kindOf(schema) === 'Literal' ? [schema] : membersOf(schema)).map((m) => String(m.const)).sort();
    return this.setsByKey.get(JSON.stringify(values));
  }

  /** A field's type, as one line. */
  typeOf(schema: TSchema): string {
    const name = this.nameOf(schema);
    if (name) return `[${code(name)}](#${anchor(name)})`;
    const set = this.setOf(schema);
    if (set && kindOf(schema) !== 'Literal') return `one of the [${set.toLowerCase()}](#${anchor(set)})`;
    switch (kindOf(schema)) {
      case 'Literal':
        return code(JSON.stringify(schema.const));
      case 'Union':
        return membersOf(schema)
          .map((m) => this.typeOf(m))
          .join(' or ');
      case 'Array': {
        const items = schema.items as TSchema;
        return `array of ${this.typeOf(items)}`;
      }
      case 'Record':
        return `object: string keys to ${this.typeOf(Object.values(schema.patternProperties as Record<string, TSchema>)[0]!)}`;
      case 'Object':
        return 'object';
      default:
        return String(schema.type ?? kindOf(schema)).toLowerCase();
    }
  }

  /** Bounds and patterns of a schema, and of an array's items or a union's members. */
  limitsOf(schema: TSchema): string[] {
    const limits: string[] = [];
    const range = (min: unknown, max: unknown, unit: string) => {
      if (min !== undefined && max !== undefined)
        limits.push(min === max ? `exactly ${min}${unit}` : `${min} to ${max}${unit}`);
      else if (max !== undefined) limits.push(`at most ${max}${unit}`);
      else if (min !== undefined) limits.push(`at least ${min}${unit}`);
    };
    switch (kindOf(schema)) {
      case 'String':
        range(schema.minLength, schema.maxLength, ' characters');
        if (schema.pattern !== undefined) limits.push(`pattern ${code(String(schema.pattern))}`);
        break;
      case 'Integer':
      case 'Number':
        range(schema.minimum, schema.maximum, '');
        break;
      case 'Array':
        range(schema.minItems, schema.maxItems, ' items');
        if (!this.nameOf(schema.items as TSchema))
          limits.push(...this.limitsOf(schema.items as TSchema).map((l) => `each ${l}`));
        break;
      case 'Record': {
        range(schema.minProperties, schema.maxProperties, ' keys');
        const [pattern, value] = Object.entries(schema.patternProperties as Record<string, TSchema>)[0]!;
        if (schema.additionalProperties === false) limits.push(`keys match ${code(pattern)}`);
        limits.push(...this.limitsOf(value).map((l) => `values ${l}`));
        break;
      }
      case 'Union':
        if (!this.nameOf(schema) && !this.setOf(schema))
          for (const member of membersOf(schema)) limits.push(...this.limitsOf(member));
        break;
    }
    return limits;
  }

  /** The rows of an object's fields; unnamed objects inside are spelt out with dotted paths. */
  rows(schema: TSchema, prefix = ''): string[] {
    const properties = (schema.properties ?? {}) as Record<string, TSchema>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const rows: string[] = [];
    for (const [field, value] of Object.entries(properties)) {
      const at = `${prefix}${field}`;
      const needed = required.has(field) && value[OptionalKind] !== 'Optional' ? 'yes' : 'no';
      const row = (type: string, limits: string[]) =>
        `| ${cell(code(at))} | ${cell(type)} | ${needed} | ${cell(limits.join('; '))} |`;
      if (!this.nameOf(value) && kindOf(value) === 'Object') {
        rows.push(row('object', []), ...this.rows(value, `${at}.`));
      } else if (
        kindOf(value) === 'Array' &&
        !this.nameOf(value.items as TSchema) &&
        kindOf(value.items as TSchema) === 'Object'
      ) {
        const count: string[] = [];
        if (value.minItems !== undefined || value.maxItems !== undefined)
          count.push(...this.limitsOf({ ...value, items: { [Kind]: 'Unknown' } } as TSchema));
        rows.push(row('array of objects', count), ...this.rows(value.items as TSchema, `${at}[].`));
      } else {
        rows.push(row(this.typeOf(value), this.limitsOf(value)));
      }
    }
    return rows;
  }

  table(schema: TSchema): string[] {
    const rows = this.rows(schema);
    if (rows.length === 0) return ['No fields.'];
    return ['| Field | Type | Required | Limits |', '| --- | --- | --- | --- |', ...rows];
  }

  /** An object's table, or each form of a union of objects. */
  shape(schema: TSchema, formTitle: (member: TSchema, index: number) => string): string[] {
    if (kindOf(schema) !== 'Union') return [...this.description(schema), ...this.table(schema)];
    const lines = [...this.description(schema), 'One of these forms:', ''];
    membersOf(schema).forEach((member, i) => {
      const name = this.nameOf(member);
      if (name) lines.push(`- [${code(name)}](#${anchor(name)})`);
      else lines.push(`**${formTitle(member, i)}**`, '', ...this.shape(member, formTitle), '');
    });
    while (lines.at(-1) === '') lines.pop();
    return lines;
  }

  description(schema: TSchema): string[] {
    return typeof schema.description === 'string' ? [schema.description, ''] : [];
  }
}

/** A form of a union is named by the literal field that tells it apart (a signal's `type`, an action's `kind`) or,
 * when it has none (the forms of a message), by its fields. */
function formTitle(member: TSchema, index: number): string {
  const properties = (member.properties ?? {}) as Record<string, TSchema>;
  const required = new Set((member.required as string[] | undefined) ?? []);
  const tag = Object.entries(properties).find(
    ([field, value]) => required.has(field) && kindOf(value) === 'Literal' && !messageTypes.has(String(value.const)),
  );
  if (tag) return `${tag[0]}: ${JSON.stringify(tag[1].const)}`;
  const fields = Object.keys(properties).filter((f) => f !== 'type' && f !== 'id');
  return `Form ${index + 1}${fields.length > 0 ? `: with ${fields.map((f) => code(f)).join(', ')}` : ''}`;
}

const INTRODUCTION = `# Tandem signaling protocol

<!-- Generated by \`npm run docs:protocol\` from the schemas in companion-service/src/protocol/. Do not edit: a test fails when this file is stale. -->

Browsers (the visitor's widget, the agent's console, guests, the Salesforce component) talk to the service over one
WebSocket, \`/ws\`. Every frame is a JSON text message with a \`type\`. The HTTP API is described in
[openapi.json](openapi.json).

- **Validation.** The service checks every client message against its schema below. Fields not listed are refused, as
  are strings, arrays and numbers outside their limits. A refused message changes nothing and is answered with an
  \`error\` whose \`code\` is \`bad_message\` (\`unknown_type\` for a type not listed) and whose \`inReplyTo\` is its type.
  Frames above the service's size limit, binary frames and messages beyond the socket's rate limit are refused the same
  way; a socket that keeps sending them is closed (close code 1008).
- **Order.** A socket's messages are handled one at a time, in the order they arrive, and answered in that order.
- **Request ids.** Any client message except \`signal\` may carry an \`id\` (1 to 40 characters: letters, digits, \`_\`
  and \`-\`). The server's direct answer to it carries the same value as \`replyTo\`: the reply listed under the message,
  or the \`error\` that refuses it (which also names the message's type in \`inReplyTo\`). Everything else the server
  sends is news from the session and has no \`replyTo\`. A message without an \`id\` is answered the same way, without
  \`replyTo\`. A signal has no \`id\`: signals are relayed byte for byte and are answered only when refused.
- **Probe.** \`probe\` changes nothing and is answered in turn, in any state: once its answer arrives, so have the
  answers to everything sent before it on the socket.`;

const paragraph = (text: string | undefined) => (text ? [text, ''] : []);

export function protocolDoc(source: ProtocolSource = PROTOCOL): string {
  const r = new Renderer(source);
  const answeredBy = (type: string) => source.replies[type];
  const answers = (type: string) =>
    Object.entries(source.replies)
      .filter(([, replies]) => replies.includes(type))
      .map(([request]) => code(request));
  const out: string[] = [INTRODUCTION, '', '## Client to server', ''];

  for (const [type, schema] of Object.entries(source.client)) {
    out.push(`### ${code(type)}`, '', ...paragraph(source.descriptions.client[type]));
    const replies = answeredBy(type);
    out.push(
      replies
        ? `Answered by ${replies.map((t) => code(t)).join(' or ')}, or an \`error\`.`
        : 'Answered only when refused (an `error`).',
      '',
    );
    out.push(...r.shape(schema, formTitle), '');
  }

  out.push('## Server to client', '');
  for (const [type, schema] of Object.entries(source.server)) {
    out.push(`### ${code(type)}`, '', ...paragraph(source.descriptions.server[type]));
    if (type === 'error') out.push('The answer to any request that is refused.', '');
    else {
      const requests = answers(type);
      out.push(
        requests.length > 0
          ? `Answers ${requests.join(', ')}.`
          : 'Not an answer to a request: never carries `replyTo`.',
        '',
      );
    }
    out.push(...r.shape(schema, formTitle), '');
  }

  out.push('## Types', '', 'Shapes used by more than one field or message.', '');
  for (const name of Object.keys(source.types).sort()) {
    out.push(`### ${name}`, '', ...r.shape(source.types[name]!, formTitle), '');
  }

  for (const set of source.valueSets) {
    out.push(`## ${set.title}`, '', set.about, '');
    if (set.text) {
      out.push('| Value | Text |', '| --- | --- |');
      for (const value of Object.values(set.values)) out.push(`| ${code(value)} | ${cell(set.text(value))} |`);
    } else {
      for (const value of Object.values(set.values)) out.push(`- ${code(value)}`);
    }
    out.push('');
  }

  out.push(
    '## Close codes',
    '',
    'The WebSocket close codes the service uses (4000 to 4999 are for applications).',
    '',
    '| Code | Name |',
    '| --- | --- |',
  );
  for (const [name, value] of Object.entries(source.closeCodes)) out.push(`| ${value} | ${name} |`);
  return `${out.join('\n')}\n`;
}

if (require.main === module) {
  writeFileSync(PROTOCOL_DOC, protocolDoc());
  console.log(`wrote ${path.relative(process.cwd(), PROTOCOL_DOC)}`);
}
