import type { FastifyPluginAsync } from 'fastify';
import { newParticipantId, type SessionService } from '../sessions/sessionService';
import { issuerOf } from '../signaling/requirements';
import type { MessageRouter } from '../signaling/router';

export interface GuestOptions {
  sessions: SessionService;
  router: MessageRouter;
}

/** Guests: the agent's invite link, the guest's code (with more time on request), Admit, Eject, Pause. Every rule
 * (only the agent admits, ejects or pauses; codes are single-use; the room has a cap) is in the session model; who may
 * send which message is declared with each handler (the agent's, from the model's transition table). */
export const guestsPlugin: FastifyPluginAsync<GuestOptions> = async (_app, { sessions, router }) => {
  router.on('guest.invite.create', issuerOf('guest.invite.create'), async (connection, message) => {
    const invite = await sessions.guests.createInvite(connection.participantId);
    if (!invite.ok) return connection.fail(invite.code, message.type);
    connection.reply({ type: 'guest.invite', url: invite.url, expiresAt: invite.expiresAt });
  });

  router.on('guest.request', { in: 'none' }, async (connection, message) => {
    const guestId = await connection.attach(newParticipantId());
    const requested = await sessions.guests.request(message.invite, message.name.trim(), guestId);
    if (!requested.ok) {
      await connection.detach();
      return connection.fail(requested.code, message.type);
    }
    connection.reply({
      type: 'guest.code',
      code: requested.code,
      expiresAt: requested.expiresAt,
      extensionsLeft: requested.extensionsLeft,
    });
  });

  // A waiting guest's socket speaks for them (they are not a member yet); the session checks they are waiting.
  router.on('guest.extend', { in: 'session' }, async (connection, message) => {
    const extended = await sessions.guests.extendCode(connection.participantId);
    if (!extended.ok) return connection.fail(extended.code, message.type);
    connection.reply({
      type: 'guest.code',
      code: extended.code,
      expiresAt: extended.expiresAt,
      extensionsLeft: extended.extensionsLeft,
    });
  });

  router.on('guest.admit', issuerOf('guest.admit'), async (connection, message) => {
    const admitted = await sessions.guests.admit(connection.participantId, message.code);
    if (!admitted.ok) connection.fail(admitted.code, message.type, admitted.retryAfterSeconds);
  });

  router.command('guest.eject', (connection, message) =>
    sessions.guests.eject(connection.participantId, message.peerId),
  );
};
