import type { FastifyBaseLogger } from 'fastify';
import { EndReason } from '../protocol/codes';
import type { Store } from '../store/store';
import type { Session } from './state';

/** What other features (the Salesforce outbox) learn when a session is over. Plain data. */
export interface EndedSessionSummary {
  sessionId: string;
  code: string;
  startedAt: number;
  endedAt: number;
  outcome: string;
  /** The logged-in visitor's id (e.g. the Salesforce Contact id); undefined for an anonymous code visitor. */
  visitorId: string | undefined;
  /** The agent's user id, if an agent joined. */
  agentId: string | undefined;
  guestNames: string[];
}

export type EndedListener = (summary: EndedSessionSummary) => Promise<void> | void;

interface Cast {
  visitorId?: string;
  agentId?: string;
  guestNames: string[];
}

/** Tells the ended-session listeners about every session that ends: those this process ran (with everyone who was ever
 * a member, remembered as the session went) and those a previous process left open. */
export class EndedSessions {
  private readonly listeners: EndedListener[] = [];
  /** Everyone who was ever a member, kept until the session ends. */
  private readonly casts = new Map<string, Cast>();
  /** Sessions shared by several instances: the one that ends a session may not have seen everyone who was in it, so
   * the cast is read from the store (whose rows every instance wrote) instead of from memory. */
  fromStore = false;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number,
  ) {}

  onEnded(listener: EndedListener): void {
    this.listeners.push(listener);
  }

  /** Notes who is in the session now (called with every new state). */
  remember(session: Session): void {
    if (this.fromStore) return;
    let cast = this.casts.get(session.id);
    if (!cast) this.casts.set(session.id, (cast = { guestNames: [] }));
    for (const p of session.participants) {
      if (p.role === 'visitor' && p.identity !== 'anonymous') cast.visitorId = p.identity;
      if (p.role === 'agent') cast.agentId = p.identity;
      if (p.role === 'guest' && p.name !== null && !cast.guestNames.includes(p.name)) cast.guestNames.push(p.name);
    }
    if (session.invitation && !cast.visitorId) cast.visitorId = session.invitation.visitorIdentity;
  }

  /** The session ended and its records are stored. */
  async announce(session: Session): Promise<void> {
    const cast = this.fromStore ? await this.storedCast(session) : (this.casts.get(session.id) ?? { guestNames: [] });
    this.casts.delete(session.id);
    await this.notify({
      sessionId: session.id,
      code: session.code,
      startedAt: session.createdAt,
      endedAt: session.endedAt ?? this.now(),
      outcome: session.endReason ?? 'ended',
      visitorId: cast.visitorId,
      agentId: cast.agentId,
      guestNames: cast.guestNames,
    });
  }

  /** At start: a session the store holds open was held by a process that is gone (killed, crashed, cut off), and
   * nothing can resume it. Each ends with reason service_restart, its participants are marked left, and it goes to
   * the listeners (the Salesforce outbox) like any session that ends. Its end time is the restart's: when the process
   * died is not known. `held`: which of them are live on this instance, or on any with Redis (those are left alone).
   * Returns how many were ended. */
  async recoverAbandoned(held: (sessionIds: readonly string[]) => Promise<Set<string>>): Promise<number> {
    let ended = 0;
    const open = await this.store.listOpenSessions();
    const live = await held(open.map((r) => r.id));
    for (const record of open) {
      if (live.has(record.id)) continue;
      const now = this.now();
      const participants = await this.store.listParticipants(record.id);
      for (const p of participants)
        if (p.leftAt === null) await this.store.participantLeft(p.id, now, EndReason.ServiceRestart);
      await this.store.updateSessionStatus(record.id, 'ended', now, EndReason.ServiceRestart);
      await this.store.appendEvent({
        sessionId: record.id,
        at: now,
        kind: 'session.ended',
        participantId: null,
        detail: { reason: EndReason.ServiceRestart, abandoned: true },
      });
      const visitor = participants.find((p) => p.role === 'visitor' && p.identity !== 'anonymous');
      await this.notify({
        sessionId: record.id,
        code: record.code,
        startedAt: record.createdAt,
        endedAt: now,
        outcome: EndReason.ServiceRestart,
        visitorId: visitor?.identity,
        agentId: participants.find((p) => p.role === 'agent')?.identity,
        guestNames: participants.filter((p) => p.role === 'guest' && p.name !== null).map((p) => p.name as string),
      });
      ended++;
    }
    return ended;
  }

  private async storedCast(session: Session): Promise<Cast> {
    const participants = await this.store.listParticipants(session.id);
    const guestNames: string[] = [];
    for (const p of participants)
      if (p.role === 'guest' && p.name !== null && !guestNames.includes(p.name)) guestNames.push(p.name);
    const visitor =
      participants.find((p) => p.role === 'visitor' && p.identity !== 'anonymous')?.identity ??
      session.invitation?.visitorIdentity;
    const agent = participants.find((p) => p.role === 'agent')?.identity;
    return {
      ...(visitor === undefined ? {} : { visitorId: visitor }),
      ...(agent === undefined ? {} : { agentId: agent }),
      guestNames,
    };
  }

  private async notify(summary: EndedSessionSummary): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(summary);
      } catch (err) {
        this.log.error({ err, sessionId: summary.sessionId }, 'ended-session listener failed');
      }
    }
  }
}
