import type { DeepPartial } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { reply, serveControl } from './childControl';
import { startEmbeddedService } from './embeddedService';

/* Benchmark child: the embedded service (embeddedService.ts) in a process of its own, as `npm start` runs it, so that
 * the benchmark's own work (Playwright driving the browser) doesn't delay its answers. The overrides come as JSON in
 * the first argument; prints {"ready":true,"port":N,"pid":P} (childControl.ts's protocol). */

async function main(): Promise<void> {
  const overrides = JSON.parse(process.argv[2] ?? '{}') as DeepPartial<Config>;
  const service = await startEmbeddedService({ overrides });
  reply({ ready: true, port: Number(new URL(service.baseUrl).port), pid: process.pid });
  serveControl(() => service.stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
