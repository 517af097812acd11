import { StreamChannel, streamPayload } from '../../src/cobrowse/streamChannel';

/** An agent's socket whose send buffer the test fills and drains. */
function agentSocket() {
  const sent: string[] = [];
  return {
    sent,
    bufferedAmount: 0,
    isOpen: true,
    sendRaw: (payload: string | Buffer) => void sent.push(payload.toString()),
  };
}

describe('the co-browse stream to one agent', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('passes the stream on without its mark while the socket keeps up', () => {
    const socket = agentSocket();
    const channel = new StreamChannel(socket, 1000, () => undefined);
    channel.receive(streamPayload(true, '{"snapshot":1}'));
    channel.receive(streamPayload(false, '{"event":2}'));
    expect(socket.sent).toEqual(['{"snapshot":1}', '{"event":2}']);
  });

  it('drops it when the socket falls behind, asks for a snapshot once drained, and picks up from that snapshot', () => {
    const socket = agentSocket();
    const asked: number[] = [];
    const channel = new StreamChannel(socket, 1000, () => void asked.push(Date.now()));
    socket.bufferedAmount = 1001;
    channel.receive(streamPayload(false, 'late-1'));
    socket.bufferedAmount = 600;
    channel.receive(streamPayload(false, 'late-2'));
    jest.advanceTimersByTime(500);
    expect(asked).toEqual([]); // still above half the limit
    socket.bufferedAmount = 400;
    jest.advanceTimersByTime(100);
    expect(asked).toHaveLength(1);
    channel.receive(streamPayload(false, 'before-the-snapshot'));
    channel.receive(streamPayload(true, 'snapshot'));
    channel.receive(streamPayload(false, 'after'));
    expect(socket.sent).toEqual(['snapshot', 'after']);
  });

  it('stops waiting for the drain when closed', () => {
    const socket = agentSocket();
    const asked: number[] = [];
    const channel = new StreamChannel(socket, 1000, () => void asked.push(1));
    socket.bufferedAmount = 2000;
    channel.receive(streamPayload(false, 'x'));
    channel.close();
    socket.bufferedAmount = 0;
    jest.advanceTimersByTime(1000);
    expect(asked).toEqual([]);
  });
});
