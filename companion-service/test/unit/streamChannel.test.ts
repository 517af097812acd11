import { StreamChannel, streamPayload } from '../../src/cobrowse/streamChannel';

/** A batch's first part (a snapshot's or an increment's), and any later part. */
const first = (snapshot: boolean, wire: string) => streamPayload({ snapshot, part: 0 }, wire);
const later = (snapshot: boolean, wire: string) => streamPayload({ snapshot, part: 1 }, wire);

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
    channel.receive(first(true, '{"snapshot":1}'));
    channel.receive(first(false, '{"event":2}'));
    expect(socket.sent).toEqual(['{"snapshot":1}', '{"event":2}']);
  });

  it('drops it when the socket falls behind, asks for a snapshot once drained, and picks up from that snapshot', () => {
    const socket = agentSocket();
    const asked: number[] = [];
    const channel = new StreamChannel(socket, 1000, () => void asked.push(Date.now()));
    socket.bufferedAmount = 1001;
    channel.receive(first(false, 'late-1'));
    socket.bufferedAmount = 600;
    channel.receive(first(false, 'late-2'));
    jest.advanceTimersByTime(500);
    expect(asked).toEqual([]); // still above half the limit
    socket.bufferedAmount = 400;
    jest.advanceTimersByTime(100);
    expect(asked).toHaveLength(1);
    channel.receive(first(false, 'before-the-snapshot'));
    channel.receive(first(true, 'snapshot'));
    channel.receive(first(false, 'after'));
    expect(socket.sent).toEqual(['snapshot', 'after']);
  });

  it('keeps a batch whole: its later parts follow its first part, past the limit too', () => {
    const socket = agentSocket();
    const channel = new StreamChannel(socket, 1000, () => undefined);
    channel.receive(first(true, 'snapshot-1/3'));
    socket.bufferedAmount = 5000; // the agent's network falls behind while the snapshot goes out
    channel.receive(later(true, 'snapshot-2/3'));
    channel.receive(later(true, 'snapshot-3/3'));
    channel.receive(first(false, 'increment-1/2')); // a new batch: over the limit, dropped
    channel.receive(later(false, 'increment-2/2'));
    expect(socket.sent).toEqual(['snapshot-1/3', 'snapshot-2/3', 'snapshot-3/3']);
  });

  it('picks up again only at the first part of a snapshot, never in the middle of one', () => {
    const socket = agentSocket();
    let asked = 0;
    const channel = new StreamChannel(socket, 1000, () => void asked++);
    socket.bufferedAmount = 1001;
    channel.receive(first(false, 'late'));
    socket.bufferedAmount = 0;
    jest.advanceTimersByTime(100);
    expect(asked).toBe(1);
    channel.receive(later(true, 'older-snapshot-2/2')); // its first part was dropped
    channel.receive(first(false, 'increment-on-the-older-snapshot'));
    channel.receive(first(true, 'fresh-snapshot-1/2'));
    channel.receive(later(true, 'fresh-snapshot-2/2'));
    channel.receive(first(false, 'after'));
    expect(socket.sent).toEqual(['fresh-snapshot-1/2', 'fresh-snapshot-2/2', 'after']);
  });

  it('gets a snapshot larger than its limit to an agent slower than the visitor, whole', () => {
    // A socket that drains 1 MB/s, a limit of 100 kB, and a visitor whose page's snapshot is 480 kB in 10 parts,
    // with an increment every 20 ms: the snapshot is larger than the limit on the wire. A batch's parts arrive
    // together, as the visitor's socket sends them.
    const socket = agentSocket();
    const drain = setInterval(() => (socket.bufferedAmount = Math.max(0, socket.bufferedAmount - 10_000)), 10);
    const sendRaw = socket.sendRaw;
    socket.sendRaw = (payload) => {
      sendRaw(payload);
      socket.bufferedAmount += 48_000;
    };
    let seq = 0;
    const snapshotSeqs: number[] = [];
    const sendSnapshot = () => {
      const s = seq++;
      snapshotSeqs.push(s);
      setTimeout(() => {
        for (let part = 0; part < 10; part++) channel.receive(streamPayload({ snapshot: true, part }, `${s}/${part}`));
      }, 5);
    };
    const channel = new StreamChannel(socket, 100_000, sendSnapshot);
    const increments = setInterval(() => channel.receive(first(false, `${seq++}/0`)), 20);
    sendSnapshot(); // the agent joins
    jest.advanceTimersByTime(10_000);
    clearInterval(increments);
    clearInterval(drain);
    channel.close();

    const partsOf = (s: number) => socket.sent.filter((wire) => wire.startsWith(`${s}/`));
    const whole = snapshotSeqs.filter((s) => partsOf(s).length === 10);
    const cut = snapshotSeqs.filter((s) => partsOf(s).length > 0 && partsOf(s).length < 10);
    expect(cut).toEqual([]);
    expect(whole.length).toBeGreaterThanOrEqual(5); // it gets through again and again: the agent's view catches up
    // The first snapshot goes out whole before anything else.
    expect(socket.sent.slice(0, 10)).toEqual(partsOf(snapshotSeqs[0]!));
  });

  it('stops waiting for the drain when closed', () => {
    const socket = agentSocket();
    const asked: number[] = [];
    const channel = new StreamChannel(socket, 1000, () => void asked.push(1));
    socket.bufferedAmount = 2000;
    channel.receive(first(false, 'x'));
    channel.close();
    socket.bufferedAmount = 0;
    jest.advanceTimersByTime(1000);
    expect(asked).toEqual([]);
  });
});
