import type { BusPayload } from '../bus/bus';
import type { SignalHeader } from '../protocol/canonicalSignal';
import type { ErrorCode } from '../protocol/codes';
import type { ClientMessage, ClientMessageType, Role, ServerMessage } from '../protocol/messages';
import type { ParticipantFeed } from './participantFeeds';
import type { CommandType } from '../sessions/commands';
import { guardFor, issuerOf, type Requirement } from './requirements';

export type { Requirement } from './requirements';

/** A server message as a handler gives it to `reply`: the connection fills in `replyTo`. */
export type Answer = ServerMessage extends infer M ? (M extends unknown ? Omit<M, 'replyTo'> : never) : never;

/** What a feature's message handler may do with the socket a message came from. */
export interface ConnectionContext {
  readonly id: string;
  readonly ip: string;
  readonly userAgent: string;
  /** The customer's site whose page opened the socket (from its Origin); null for the service's own pages. */
  readonly siteId: string | null;
  /** The session participant this socket speaks for, once it joined one. */
  readonly participantId: string | undefined;
  /** The logged-in visitor this socket (a portal tab) identified as, if any. */
  visitorId: string | undefined;
  /** The participant's role in their session; undefined while in none (or waiting as a guest). */
  readonly role: Role | undefined;
  send(message: ServerMessage): void;
  /** Sends the direct answer to the message being handled, with `replyTo` set to that message's `id` if it had one. */
  reply(message: Answer): void;
  /** Sends an already serialised server message (from the bus) as it is, as a text frame. */
  sendRaw(payload: BusPayload): void;
  /** Answers the message being handled with an `error` (with `replyTo`, as `reply` does). */
  fail(code: ErrorCode, inReplyTo: string, retryAfterSeconds?: number): void;
  /** Subscribes to the participant's channels and speaks for them from now on. */
  attach(participantId: string): Promise<string>;
  /** Undoes attach after a refused join. */
  detach(): Promise<void>;
  /** Follows a bus channel for as long as the socket is open. */
  follow(channel: string, handler: (payload: BusPayload) => void): Promise<void>;
  /** Runs when the socket closes (for presence and pending-guest clean-up). */
  onClose(cleanup: () => Promise<void> | void): void;
  /** Takes one of this address's session starts; when none is left, how long until one is. */
  startSession(): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
}

/** What a handler of type T receives. The relay gets only a signal's header: a frame in canonical form is validated
 * without being parsed into an object (protocol/canonicalSignal.ts), and the relay forwards the frame's bytes. */
export type HandledMessage<T extends ClientMessageType> = T extends 'signal'
  ? SignalHeader
  : Extract<ClientMessage, { type: T }>;

/** What a handler's requirement guarantees about its socket. */
export type ContextFor<R extends Requirement> = ConnectionContext &
  (R extends { in: 'session' } ? { readonly participantId: string } : unknown) &
  (R extends { visitor: 'identified' } ? { readonly visitorId: string } : unknown);

/** A socket that speaks for a participant. */
export type InSession = ContextFor<{ in: 'session' }>;

/** `frame` holds the bytes the message was parsed from, already validated: the relay forwards them rather than
 * re-serialising the message. */
export type Handler<T extends ClientMessageType, C extends ConnectionContext = ConnectionContext> = (
  connection: C,
  message: HandledMessage<T>,
  frame: Buffer,
) => Promise<void> | void;

/** Routes validated inbound messages to the feature plugin that owns their type. Each type has one owner, which
 * declares where a socket must be to send it (requirements.ts): the router refuses any other before the handler runs. */
export class MessageRouter {
  private readonly handlers = new Map<string, Handler<ClientMessageType>>();
  private readonly participantFeeds: ParticipantFeed[] = [];

  constructor() {
    // The protocol's own message, for any socket in any state: its answer comes after the answers to everything the
    // socket sent before it.
    this.on('probe', { in: 'any' }, (connection) => connection.reply({ type: 'probe' }));
  }

  on<T extends ClientMessageType, const R extends Requirement>(
    type: T,
    requirement: R,
    handler: Handler<T, ContextFor<R>>,
  ): void {
    if (this.handlers.has(type)) throw new Error(`a handler for "${type}" is already registered`);
    const open = handler as unknown as Handler<ClientMessageType>;
    const refusal = requirement.in === 'any' && !requirement.visitor ? undefined : guardFor(requirement);
    const guarded: Handler<ClientMessageType> = refusal
      ? (connection, message, frame) => {
          const refused = refusal(connection);
          if (refused) return connection.fail(refused, message.type);
          return open(connection, message, frame);
        }
      : open;
    this.handlers.set(type, guarded);
  }

  /** A session command from a member, who may issue it as the transition table says (requirements.issuerOf): `run`
   * applies it and returns the refusal, if any, which the sender gets as an error. */
  command<T extends CommandType & ClientMessageType>(
    type: T,
    run: (connection: InSession, message: HandledMessage<T>) => Promise<ErrorCode | undefined>,
  ): void {
    this.on(type, issuerOf(type), async (connection, message) => {
      const refused = await run(connection, message);
      if (refused) connection.fail(refused, message.type);
    });
  }

  async dispatch(connection: ConnectionContext, message: ClientMessage, frame: Buffer): Promise<void> {
    const handler = this.handlers.get(message.type);
    if (!handler) throw new Error(`no handler for "${message.type}"`);
    await handler(connection, message, frame);
  }

  /** The relay's hot path skips the queue, so it gets its (guarded) handler directly. */
  handlerFor<T extends ClientMessageType>(type: T): Handler<T> | undefined {
    return this.handlers.get(type) as unknown as Handler<T> | undefined;
  }

  /** A feature's bus channel that every participant's socket follows while it speaks for them (participantFeeds.ts). */
  addParticipantFeed(feed: ParticipantFeed): void {
    this.participantFeeds.push(feed);
  }

  get feeds(): readonly ParticipantFeed[] {
    return this.participantFeeds;
  }
}
