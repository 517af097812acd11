import type { BusPayload } from '../../src/bus/bus';
import { MemoryBus } from '../../src/bus/memoryBus';

describe('the in-process bus', () => {
  it('delivers in order to every subscriber of the channel and to no one else', async () => {
    const bus = new MemoryBus();
    const a: BusPayload[] = [];
    const b: BusPayload[] = [];
    const other: BusPayload[] = [];
    await bus.subscribe('p:1', (p) => a.push(p));
    await bus.subscribe('p:1', (p) => b.push(p));
    await bus.subscribe('p:2', (p) => other.push(p));
    await bus.publish('p:1', 'one');
    await bus.channel('p:1').publish(Buffer.from('two'));
    await bus.publish('p:3', 'nobody');
    expect([a.map(String), b.map(String), other]).toEqual([['one', 'two'], ['one', 'two'], []]);
  });

  it('gives a payload to those subscribed when it was published, whatever a handler changes meanwhile', async () => {
    const bus = new MemoryBus();
    const got: string[] = [];
    const late = (p: BusPayload) => got.push(`late ${String(p)}`);
    let unsubscribeSecond: () => Promise<void> = async () => undefined;
    await bus.subscribe('c', (p) => {
      got.push(`first ${String(p)}`);
      void unsubscribeSecond();
      void bus.subscribe('c', late);
    });
    unsubscribeSecond = await bus.subscribe('c', (p) => got.push(`second ${String(p)}`));
    await bus.publish('c', 'x');
    expect(got).toEqual(['first x', 'second x']);
  });

  it('removes only the subscription it was given, once, even for a handler subscribed twice', async () => {
    const bus = new MemoryBus();
    const got: string[] = [];
    const handler = (p: BusPayload) => got.push(String(p));
    const first = await bus.subscribe('c', handler);
    await bus.subscribe('c', handler);
    await first();
    await first();
    await bus.publish('c', 'x');
    expect(got).toEqual(['x']);
  });

  it("passes a throwing handler's error to the publisher", async () => {
    const bus = new MemoryBus();
    await bus.subscribe('c', () => {
      throw new Error('boom');
    });
    await expect(bus.publish('c', 'x')).rejects.toThrow('boom');
  });
});

describe('a kept channel of the in-process bus', () => {
  it('reaches whoever subscribes to the name now, also after the last subscriber left and a new one came', async () => {
    const local = new MemoryBus();
    const channel = local.channel('p:x');
    const first: BusPayload[] = [];
    const second: BusPayload[] = [];
    await channel.publish('nobody yet');
    const unsubscribe = await local.subscribe('p:x', (p) => first.push(p));
    await channel.publish('one');
    await unsubscribe();
    await channel.publish('gone');
    await local.subscribe('p:x', (p) => second.push(p));
    await channel.publish('two');
    expect([first, second]).toEqual([['one'], ['two']]);
    await local.close();
    await channel.publish('closed');
    expect(second).toEqual(['two']);
  });
});
