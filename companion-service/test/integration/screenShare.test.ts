import { ErrorCode, Privilege } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';

/* Screen share over real sockets: who may start, ask, answer and stop, and who is told. The screens themselves go
 * over the peer connections (e2e/screenShare.test.ts). */

jest.setTimeout(20_000);

const suite = serviceSuite();

/** A call whose agent has the given privileges (all of them when not given). */
const call = async (privileges?: string[]) => suite.call(await devToken(suite.server, 'Ana Agent', privileges));

const withGuest = (c: Awaited<ReturnType<typeof call>>) => suite.admitGuest(c.agent);

describe('screen share', () => {
  it('is refused to an agent token without the privilege, with a clear error, and nobody is told', async () => {
    const c = await call([Privilege.AgentVideo, Privilege.RemoteControl]);
    const guest = await withGuest(c);
    c.agent.send({ type: 'share.start', streamId: 'agent-screen-1' });
    const refused = await c.agent.next('error');
    expect(refused).toMatchObject({ code: ErrorCode.NoPrivilege, inReplyTo: 'share.start' });
    expect(refused.message).toMatch(/permission/);
    c.agent.send({ type: 'share.request' });
    expect((await c.agent.next('error')).code).toBe(ErrorCode.NoPrivilege);
    await c.visitor.nothing('share.state', { after: c.agent });
    await guest.nothing('share.state', { after: c.agent });
  });

  it("an agent's share is told to everyone; the agent or the sharer stops it", async () => {
    const c = await call();
    const guest = await withGuest(c);
    c.agent.send({ type: 'share.start', streamId: 'agent-screen-1' });
    const on = { state: 'on', sharerId: c.agentId, streamId: 'agent-screen-1', name: 'Ana Agent' };
    for (const member of [c.visitor, c.agent, guest]) expect((await member.next('share.state')).share).toEqual(on);
    // A guest and the customer can't stop the agent's share.
    guest.send({ type: 'share.stop' });
    expect((await guest.next('error')).code).toBe(ErrorCode.Forbidden);
    c.agent.send({ type: 'share.stop' });
    for (const member of [c.visitor, c.agent, guest])
      expect((await member.next('share.state')).share.state).toBe('off');
  });

  it("the customer's screen needs their consent and is told to the agents only", async () => {
    const c = await call();
    const guest = await withGuest(c);
    // Sharing is the visitor's answer to a request only.
    c.visitor.send({ type: 'share.answer', granted: true, streamId: 'customer-screen' });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.InvalidInvitation);
    c.visitor.send({ type: 'share.start', streamId: 'customer-screen' });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.Forbidden);
    c.agent.send({ type: 'share.request' });
    expect((await c.visitor.next('share.state')).share).toEqual({ state: 'requested', name: 'Ana Agent' });
    c.visitor.send({ type: 'share.answer', granted: true, streamId: 'customer-screen' });
    expect((await c.agent.next('share.state')).share.state).toBe('requested');
    expect((await c.agent.next('share.state')).share).toEqual({
      state: 'on',
      sharerId: c.visitorId,
      streamId: 'customer-screen',
      name: 'Customer',
    });
    await guest.nothing('share.state', { after: c.visitor });
    c.visitor.send({ type: 'share.stop' });
    expect((await c.agent.next('share.state')).share.state).toBe('off');
  });

  it('declined, nothing is shared', async () => {
    const c = await call();
    c.agent.send({ type: 'share.request' });
    await c.visitor.next('share.state');
    c.visitor.send({ type: 'share.answer', granted: false });
    expect((await c.agent.next('share.state')).share.state).toBe('requested');
    expect((await c.agent.next('share.state')).share.state).toBe('off');
    // Nothing waits for an answer any more.
    c.visitor.send({ type: 'share.answer', granted: true, streamId: 'customer-screen' });
    expect((await c.visitor.next('error')).code).toBe(ErrorCode.InvalidInvitation);
  });
});
