import { isConsoleBusy, isConsoleReady, isTicketHandoff } from '../../web/shared/consoleHandoff';

/* The join page and the console window trust each other's messages only in their exact shapes (the windows also
 * check each other's origin and identity). */

describe('console ticket hand-off messages', () => {
  const ticket = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';

  it('accept a well-formed ticket from the join page', () => {
    expect(isTicketHandoff({ source: 'tandem-join', type: 'ticket', ticket })).toBe(true);
  });

  it('refuse anything else as a ticket', () => {
    for (const data of [
      null,
      'ticket',
      { source: 'tandem-console', type: 'ticket', ticket },
      { source: 'tandem-join', type: 'ready', ticket },
      { source: 'tandem-join', type: 'ticket' },
      { source: 'tandem-join', type: 'ticket', ticket: 42 },
      { source: 'tandem-join', type: 'ticket', ticket: 'short' },
      { source: 'tandem-join', type: 'ticket', ticket: `${ticket}"><script>` },
      { source: 'tandem-join', type: 'ticket', ticket: 'x'.repeat(300) },
    ]) {
      expect(isTicketHandoff(data)).toBe(false);
    }
  });

  it('tell the console being ready from its other messages', () => {
    expect(isConsoleReady({ source: 'tandem-console', type: 'ready' })).toBe(true);
    expect(isConsoleReady({ source: 'tandem-console', sessionId: 's1', reason: 'agent_ended' })).toBe(false);
    expect(isConsoleReady({ source: 'tandem-join', type: 'ready' })).toBe(false);
    expect(isConsoleReady(undefined)).toBe(false);
  });

  it('tell a console refusing a ticket (in a session) from its other messages', () => {
    expect(isConsoleBusy({ source: 'tandem-console', type: 'busy' })).toBe(true);
    expect(isConsoleBusy({ source: 'tandem-console', type: 'ready' })).toBe(false);
    expect(isConsoleBusy({ source: 'tandem-join', type: 'busy' })).toBe(false);
    expect(isConsoleBusy(null)).toBe(false);
  });
});
