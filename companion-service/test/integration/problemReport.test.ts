import { ErrorCode } from '../../src/protocol/codes';
import { serviceSuite } from '../helpers/serviceSuite';
import { devToken } from '../helpers/testServer';

const suite = serviceSuite();
let token: string;

beforeAll(async () => {
  token = await devToken(suite.server);
});

describe("a problem report's diagnostics", () => {
  it('are stored when their names are printable and at most 64 characters long', async () => {
    const { agent } = await suite.call(token);
    const diagnostics = { [`peer1.${'x'.repeat(58)}`]: 1, 'agent browser': 'Firefox', empty: null };
    agent.send({ type: 'problem.report', description: 'No sound.', diagnostics });
    const { referenceId } = await agent.next('problem.reported');
    expect((await suite.server.store.getProblemReport(referenceId))?.diagnostics).toEqual(diagnostics);
  });

  it('are refused, and nothing stored, with a longer name or one holding control characters', async () => {
    const { agent } = await suite.call(token);
    for (const name of ['x'.repeat(65), 'bell\u0007', '']) {
      agent.send({ type: 'problem.report', description: 'No sound.', diagnostics: { [name]: 1 } });
      expect(await agent.next('error')).toMatchObject({ code: ErrorCode.BadMessage, inReplyTo: 'problem.report' });
    }
    await agent.probe();
    expect(agent.received.filter((m) => m.type === 'problem.reported')).toEqual([]);
  });
});
