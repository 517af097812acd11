import { invitationOpen } from '../sessions/model';
import type { SessionService } from '../sessions/sessionService';

/* One open invitation per visitor at a time: a second Join while the visitor's terms prompt is up is refused
 * (invitation_pending) rather than stacking prompts on their page. The first stays until it is answered or times
 * out. Shared by every route that invites (the join page's and Salesforce's), so it is kept per session service. */

export class PendingInvitations {
  /** Visitor identity → the invitation sent to them, or null while one is being made. */
  private readonly byVisitor = new Map<string, string | null>();
  /** Answered and expired invitations are forgotten once the book grows past this (then twice what stays open). */
  private sweepAt = 1024;

  constructor(private readonly sessions: SessionService) {}

  /** Claims the visitor for a new invitation; false while another is still open. Synchronous, so two Joins at the
   * same moment can't both pass. */
  reserve(visitorKey: string, now: number): boolean {
    if (this.byVisitor.has(visitorKey)) {
      const invitationId = this.byVisitor.get(visitorKey);
      if (invitationId === null || (invitationId !== undefined && this.isOpen(invitationId, now))) return false;
    }
    this.byVisitor.set(visitorKey, null);
    if (this.byVisitor.size >= this.sweepAt) this.sweep(now);
    return true;
  }

  /** The reserved visitor's invitation was sent. */
  sent(visitorKey: string, invitationId: string): void {
    this.byVisitor.set(visitorKey, invitationId);
  }

  /** The reservation came to nothing (the invitation could not be made). */
  release(visitorKey: string): void {
    if (this.byVisitor.get(visitorKey) === null) this.byVisitor.delete(visitorKey);
  }

  private sweep(now: number): void {
    for (const [visitor, invitationId] of this.byVisitor) {
      if (invitationId !== null && !this.isOpen(invitationId, now)) this.byVisitor.delete(visitor);
    }
    this.sweepAt = Math.max(1024, this.byVisitor.size * 2);
  }

  /** Still waiting for the visitor's answer: not accepted, declined, timed out or ended. */
  private isOpen(invitationId: string, now: number): boolean {
    const session = this.sessions.directory.findByInvitation(invitationId);
    return session !== undefined && invitationOpen(session, now);
  }
}

const perService = new WeakMap<SessionService, PendingInvitations>();

/** The one book of pending invitations for this session service. */
export function pendingInvitationsOf(sessions: SessionService): PendingInvitations {
  let book = perService.get(sessions);
  if (!book) perService.set(sessions, (book = new PendingInvitations(sessions)));
  return book;
}
