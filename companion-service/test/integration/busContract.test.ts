import type { Bus, BusPayload } from '../../src/bus/bus';
import { MemoryBus } from '../../src/bus/memoryBus';
import { RedisBus } from '../../src/bus/redisBus';
import { RedisConnections } from '../../src/redis/connections';
import { eventually } from '../helpers/eventually';
import {
  dropKeys,
  recordingLog,
  redisClient,
  testKeyPrefix,
  testRedisSettings,
  TEST_REDIS_URL,
} from '../helpers/redis';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';

/* The bus's contract, held by the in-process bus and by the Redis bus alike. Each test publishes on instance A and
 * subscribes on A and on B: for the in-process bus both are the one bus; for Redis they are two buses on connections
 * of their own sharing one Redis, as two instances of the service are. Then what only the Redis bus has to do: one
 * subscription per channel, and going on through an outage. */

const prefix = testKeyPrefix();
const inspector = redisClient();
const opened: RedisConnections[] = [];

afterAll(async () => {
  for (const connections of opened) await connections.close();
  await dropKeys(inspector, prefix);
  inspector.disconnect();
});

async function redisBus(
  url = TEST_REDIS_URL,
): Promise<{ bus: RedisBus; connections: RedisConnections; log: ReturnType<typeof recordingLog> }> {
  const log = recordingLog();
  const connections = new RedisConnections(testRedisSettings(prefix, url), log);
  opened.push(connections);
  expect(await connections.connect(5_000)).toBe(true);
  return { bus: new RedisBus(connections.commands, connections.subscriber, prefix, log), connections, log };
}

interface Instances {
  a: Bus;
  b: Bus;
}

const kinds: Array<[string, () => Promise<Instances>]> = [
  [
    'the in-process bus',
    async () => {
      const bus = new MemoryBus();
      return { a: bus, b: bus };
    },
  ],
  ['the Redis bus, two instances', async () => ({ a: (await redisBus()).bus, b: (await redisBus()).bus })],
];

/** Waits until `list` has `count` entries (at once for the in-process bus, after Redis for the other). */
const received = (list: unknown[], count: number) =>
  eventually(
    () => list.length,
    (n) => n >= count,
    `${count} messages`,
    3000,
    5,
  );

let channels = 0;
const fresh = () => `test-${++channels}`;

describe.each(kinds)('%s', (_kind, instances) => {
  let a: Bus;
  let b: Bus;
  beforeAll(async () => {
    ({ a, b } = await instances());
  });

  it('delivers each message to every subscriber of the channel, on every instance, in the order published', async () => {
    const channel = fresh();
    const onA: string[] = [];
    const onB: string[] = [];
    const elsewhere: string[] = [];
    await a.subscribe(channel, (p) => onA.push(String(p)));
    await b.subscribe(channel, (p) => onB.push(String(p)));
    await b.subscribe(fresh(), (p) => elsewhere.push(String(p)));
    const sent = Array.from({ length: 300 }, (_, i) => `m${i}`);
    const kept = a.channel(channel);
    // Plain publishes, kept-channel publishes and bytes, interleaved, not awaited one by one.
    await Promise.all(
      sent.map((m, i) =>
        i % 3 === 0 ? a.publish(channel, m) : i % 3 === 1 ? kept.publish(m) : a.publish(channel, Buffer.from(m)),
      ),
    );
    await received(onB, sent.length);
    expect(onA).toEqual(sent);
    expect(onB).toEqual(sent);
    expect(elsewhere).toEqual([]);
  });

  it('hands text on as text and bytes as the same bytes', async () => {
    const channel = fresh();
    const got: BusPayload[] = [];
    await b.subscribe(channel, (p) => got.push(p));
    const bytes = Buffer.from([0, 0xff, 0xfe, 0x74, 0x62, 10]);
    await a.publish(channel, 'Grüße 👋');
    await a.publish(channel, bytes);
    await received(got, 2);
    expect(got[0]).toBe('Grüße 👋');
    expect(Buffer.isBuffer(got[1])).toBe(true);
    expect((got[1] as Buffer).equals(bytes)).toBe(true);
  });

  it('delivers to a subscriber of the publishing instance within the publish call', async () => {
    const channel = fresh();
    const got: BusPayload[] = [];
    await a.subscribe(channel, (p) => got.push(p));
    const publishing = a.publish(channel, 'now');
    expect(got).toEqual(['now']);
    await publishing;
  });

  it('stops delivering to a subscription once it is removed, and removes only that one, once', async () => {
    const channel = fresh();
    const marker = fresh();
    const first: string[] = [];
    const second: string[] = [];
    const markers: string[] = [];
    const handler = (p: BusPayload) => first.push(String(p));
    const removeFirst = await b.subscribe(channel, handler);
    await b.subscribe(channel, handler);
    const removeSecond = await b.subscribe(channel, (p) => second.push(String(p)));
    await b.subscribe(marker, (p) => markers.push(String(p)));
    await removeFirst();
    await removeFirst();
    await a.publish(channel, 'one');
    // Removing a subscription stops what has not reached it yet: on another instance, 'one' may still be on its way.
    await received(second, 1);
    await removeSecond();
    await a.publish(channel, 'two');
    // Published after the others on the same connection, so it arrives after them.
    await a.publish(marker, 'done');
    await received(markers, 1);
    expect(first).toEqual(['one', 'two']);
    expect(second).toEqual(['one']);
  });

  it('lets a kept channel reach whoever subscribes to its name now, also after the last subscriber left', async () => {
    const name = fresh();
    const marker = fresh();
    const channel = a.channel(name);
    const first: string[] = [];
    const second: string[] = [];
    const markers: string[] = [];
    await b.subscribe(marker, (p) => markers.push(String(p)));
    await channel.publish('nobody yet');
    const unsubscribe = await b.subscribe(name, (p) => first.push(String(p)));
    await channel.publish('one');
    await received(first, 1);
    await unsubscribe();
    await channel.publish('gone');
    await b.subscribe(name, (p) => second.push(String(p)));
    await channel.publish('two');
    await a.publish(marker, 'done');
    await received(markers, 1);
    await received(second, 1);
    expect([first, second]).toEqual([['one'], ['two']]);
  });

  it('gives a payload to those subscribed when it was published, whatever a handler changes meanwhile', async () => {
    const channel = fresh();
    const got: string[] = [];
    let unsubscribeSecond: () => Promise<void> = async () => undefined;
    await a.subscribe(channel, (p) => {
      got.push(`first ${String(p)}`);
      void unsubscribeSecond();
      void a.subscribe(channel, (q) => got.push(`late ${String(q)}`));
    });
    unsubscribeSecond = await a.subscribe(channel, (p) => got.push(`second ${String(p)}`));
    await a.publish(channel, 'x');
    expect(got).toEqual(['first x', 'second x']);
  });

  it("passes a throwing local handler's error to the publisher", async () => {
    const channel = fresh();
    await a.subscribe(channel, () => {
      throw new Error('boom');
    });
    await expect(a.publish(channel, 'x')).rejects.toThrow('boom');
  });
});

describe('the Redis bus', () => {
  it('holds one Redis subscription per channel and instance, however many subscribers it has there', async () => {
    const { bus: a } = await redisBus();
    const { bus: b } = await redisBus();
    const channel = fresh();
    const subscribers = async () =>
      ((await inspector.pubsub('NUMSUB', `${prefix}bus:${channel}`)) as [string, number])[1];
    const removals = [
      await a.subscribe(channel, () => undefined),
      await a.subscribe(channel, () => undefined),
      await a.subscribe(channel, () => undefined),
      await b.subscribe(channel, () => undefined),
    ];
    expect(await subscribers()).toBe(2);
    await removals[0]!();
    await removals[1]!();
    expect(await subscribers()).toBe(2);
    await removals[2]!();
    expect(await subscribers()).toBe(1);
    await removals[3]!();
    expect(await subscribers()).toBe(0);
  });

  it('delivers a channel kept local only here while it has a subscriber here, and through Redis otherwise', async () => {
    const { bus: a } = await redisBus();
    const { bus: b } = await redisBus();
    const channel = fresh();
    const marker = fresh();
    const here: string[] = [];
    const there: string[] = [];
    const markers: string[] = [];
    await b.subscribe(marker, (p) => markers.push(String(p)));
    const unsubscribeThere = await b.subscribe(channel, (p) => there.push(String(p)));
    a.keepLocal(channel, true);
    // Nobody here: published (whoever follows it is elsewhere).
    await a.publish(channel, 'nobody here');
    const unsubscribeHere = await a.subscribe(channel, (p) => here.push(String(p)));
    await a.channel(channel).publish('local 1');
    await a.publish(channel, 'local 2');
    a.keepLocal(channel, false);
    await a.publish(channel, 'shared again');
    // Redis keeps one connection's publishes in order: once the marker is in, everything before it is too.
    await a.publish(marker, 'done');
    await received(markers, 1);
    expect(here).toEqual(['local 1', 'local 2', 'shared again']);
    expect(there).toEqual(['nobody here', 'shared again']);
    await unsubscribeHere();
    await unsubscribeThere();
  });

  describe('while Redis is away', () => {
    let proxy: TcpProxy;
    afterAll(() => proxy?.close());

    it('delivers on its own instance, drops the rest (logged, not queued), and subscribes again once Redis is back', async () => {
      const target = new URL(TEST_REDIS_URL);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
      const away = await redisBus(`redis://${target.hostname}:${proxy.port}${target.pathname}`);
      const { bus: other } = await redisBus();
      const channel = fresh();
      const local: string[] = [];
      const remote: string[] = [];
      const fromOther: string[] = [];
      await away.bus.subscribe(channel, (p) => local.push(String(p)));
      await other.subscribe(channel, (p) => remote.push(String(p)));

      proxy.cut();
      await eventually(
        () => away.connections.isReady(),
        (ready) => !ready,
        'the connections to drop',
      );
      // Publishing neither fails nor waits: this instance's subscriber has it at once; the other instance never will.
      await away.bus.publish(channel, 'during');
      expect(local).toEqual(['during']);
      // A subscription made now holds here, and is made in Redis once it is back.
      await away.bus.subscribe(`${channel}-new`, (p) => fromOther.push(String(p)));
      await other.publish(channel, 'lost');

      proxy.restore();
      await eventually(
        () => away.connections.isReady(),
        (ready) => ready,
        'the connections to come back',
        10_000,
      );
      // Subscribed again: what the other instance publishes arrives, on old and new channels alike.
      await eventually(
        async () => {
          await other.publish(`${channel}-new`, 'after');
          return fromOther.length;
        },
        (n) => n > 0,
        'a message from the other instance',
        5_000,
      );
      await away.bus.publish(channel, 'back');
      await eventually(
        () => remote,
        (r) => r.includes('back'),
        'the message published after the outage',
      );
      // The other instance's own subscriber had its own message at once; 'during' never reached it.
      expect(remote).toEqual(['lost', 'back']);
      expect(local).toEqual(expect.arrayContaining(['during', 'back']));
      expect(local).not.toContain('lost');
      expect(away.log.lines.join('\n')).toMatch(/bus messages reach this instance only until it is back/);
      expect(away.log.lines.join('\n')).toMatch(/dropped meanwhile/);
      // Before the proxy goes: a connection closed while it can't reach Redis lingers a while before it is let go.
      await away.connections.close();
    });
  });
});
