import type { Config } from '../config/schema';
import type { Bus } from './bus';
import { MemoryBus } from './memoryBus';

export function createBus(config: Config['bus']): Bus {
  switch (config.kind) {
    case 'memory':
      return new MemoryBus();
  }
}
