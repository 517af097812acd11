import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { ClientMessages, type ClientMessage, type ClientMessageType } from './messages';
import { ErrorCode } from './codes';

const checkers = Object.fromEntries(
  Object.entries(ClientMessages).map(([type, schema]) => [type, TypeCompiler.Compile(schema as TSchema)]),
) as Record<ClientMessageType, TypeCheck<TSchema>>;

export type Parsed = { ok: true; message: ClientMessage } | { ok: false; code: ErrorCode; message: string; type?: string };

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
  const type = (value as { type: string }).type.slice(0, 64);
  if (!Object.prototype.hasOwnProperty.call(checkers, type)) {
    return { ok: false, code: ErrorCode.UnknownType, message: `unknown message type "${type}"`, type };
  }
  const checker = checkers[type as ClientMessageType];
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    const where = first?.path || '/';
    return { ok: false, code: ErrorCode.BadMessage, message: `invalid "${type}" message at ${where}: ${first?.message ?? 'does not match the schema'}`, type };
  }
  return { ok: true, message: value as ClientMessage };
}
