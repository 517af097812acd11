/* One open invitation per visitor at a time: a second Join while the visitor's terms prompt is up is refused
 * (invitation_pending) rather than stacking prompts on their page. The first stays until it is answered or times
 * out. Shared by every route that invites (the join page's and Salesforce's): one per session service, in this process
 * or in Redis for every instance (redisPendingInvitations.ts). */

export interface PendingInvitations {
  /** Claims the visitor for a new invitation; false while another is still open (or being made). */
  reserve(visitorKey: string, now: number): Promise<boolean>;
  /** The reserved visitor's invitation was sent; it is open until `expiresAt` unless answered sooner. */
  sent(visitorKey: string, invitationId: string, expiresAt: number): Promise<void>;
  /** The reservation came to nothing (the invitation could not be made). */
  release(visitorKey: string): Promise<void>;
}

/** In this process. The check and the claim run without a pause between them, so two Joins at the same moment can't
 * both pass. */
export class MemoryPendingInvitations implements PendingInvitations {
  /** Visitor identity → the invitation sent to them, or null while one is being made. */
  private readonly byVisitor = new Map<string, string | null>();
  /** Answered and expired invitations are forgotten once the book grows past this (then twice what stays open). */
  private sweepAt = 1024;

  /** `isOpen`: the invitation still waits for the visitor's answer (not accepted, declined, timed out or ended). */
  constructor(private readonly isOpen: (invitationId: string, now: number) => boolean) {}

  async reserve(visitorKey: string, now: number): Promise<boolean> {
    if (this.byVisitor.has(visitorKey)) {
      const invitationId = this.byVisitor.get(visitorKey);
      if (invitationId === null || (invitationId !== undefined && this.isOpen(invitationId, now))) return false;
    }
    this.byVisitor.set(visitorKey, null);
    if (this.byVisitor.size >= this.sweepAt) this.sweep(now);
    return true;
  }

  async sent(visitorKey: string, invitationId: string): Promise<void> {
    this.byVisitor.set(visitorKey, invitationId);
  }

  async release(visitorKey: string): Promise<void> {
    if (this.byVisitor.get(visitorKey) === null) this.byVisitor.delete(visitorKey);
  }

  private sweep(now: number): void {
    for (const [visitor, invitationId] of this.byVisitor) {
      if (invitationId !== null && !this.isOpen(invitationId, now)) this.byVisitor.delete(visitor);
    }
    this.sweepAt = Math.max(1024, this.byVisitor.size * 2);
  }
}
