import { CloseCode, ErrorCode } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';

/* Finding 7: resume tokens never rotated. A token copied from the host page's sessionStorage resumed while its owner
 * was online and took their seat, and kept working. Each resume now uses the token up and hands out a new one. */

const suite = serviceSuite();

describe('resume tokens', () => {
  it('work once: the resume answers with a new token, and the old one is refused', async () => {
    const { visitor, agent, created } = await suite.call(await devToken(suite.server));
    visitor.socket.terminate();
    await agent.next('peer.away');
    const back = await suite.connect();
    back.send({ type: 'session.resume', resumeToken: created.resumeToken });
    const resumed = await back.next('session.joined');
    expect(resumed.resumeToken).not.toBe(created.resumeToken);

    // The stolen copy of the first token is worth nothing now, even while the seat's socket is away again.
    back.socket.terminate();
    await agent.next('peer.away');
    const thief = await suite.connect();
    thief.send({ type: 'session.resume', resumeToken: created.resumeToken });
    expect(await thief.next('error')).toMatchObject({ code: ErrorCode.ResumeFailed, inReplyTo: 'session.resume' });
    // The owner's current token still brings them back.
    const owner = await suite.connect();
    owner.send({ type: 'session.resume', resumeToken: resumed.resumeToken });
    expect((await owner.next('session.joined')).resumed).toBe(true);
  });

  it('a copied token works once at most: replayed again, it is refused', async () => {
    const { visitor, created } = await suite.call(await devToken(suite.server));
    const thief = await suite.connect();
    thief.send({ type: 'session.resume', resumeToken: created.resumeToken });
    const stolen = await thief.next('session.joined');
    expect((await visitor.closed()).code).toBe(CloseCode.Replaced);
    // The thief's token is the only valid one: replaying the copied one again gets nothing.
    const again = await suite.connect();
    again.send({ type: 'session.resume', resumeToken: created.resumeToken });
    expect((await again.next('error')).code).toBe(ErrorCode.ResumeFailed);
    expect(stolen.resumeToken).not.toBe(created.resumeToken);
  });
});
