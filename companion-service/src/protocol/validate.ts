import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { ClientMessages, REQUEST_ID_PATTERN, type ClientMessage } from './messages';
import { ErrorCode } from './codes';

/** A Map, not an object: looking up a type string that JSON.parse just made is a plain hash lookup, whereas a keyed
 * property load on a ~30-key object goes through V8's runtime on every message. */
const checkers = new Map<string, TypeCheck<TSchema>>(
  Object.entries(ClientMessages).map(([type, schema]) => [type, TypeCompiler.Compile(schema as TSchema)]),
);

/** A refusal names the message's type and `id` when it had them, so the client can tell which request failed. */
export type Parsed =
  { ok: true; message: ClientMessage } | { ok: false; code: ErrorCode; message: string; type?: string; id?: string };

const REQUEST_ID = new RegExp(REQUEST_ID_PATTERN);

/** The value's `id` if it is a well-formed request id (a malformed one is not echoed back). */
function requestIdOf(value: object): string | undefined {
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && REQUEST_ID.test(id) ? id : undefined;
}

/** Parses and validates one inbound WebSocket text frame against the protocol. Never throws. */
export function parseClientMessage(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.BadMessage, message: 'message is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
    return { ok: false, code: ErrorCode.BadMessage, message: 'message must be an object with a string "type"' };
  }
  const type = (value as { type: string }).type;
  const checker = checkers.get(type);
  if (!checker) {
    const shown = type.slice(0, 64);
    return withId(
      { ok: false, code: ErrorCode.UnknownType, message: `unknown message type "${shown}"`, type: shown },
      value,
    );
  }
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    const where = first?.path || '/';
    const text = `invalid "${type}" message at ${where}: ${first?.message ?? 'does not match the schema'}`;
    return withId({ ok: false, code: ErrorCode.BadMessage, message: text, type }, value);
  }
  return { ok: true, message: value as ClientMessage };
}

function withId(refused: Extract<Parsed, { ok: false }>, value: object): Parsed {
  const id = requestIdOf(value);
  if (id !== undefined) refused.id = id;
  return refused;
}
