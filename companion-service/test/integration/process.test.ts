import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloseCode, EndReason } from '../../src/protocol/codes';
import { repoRoot } from '../../src/paths';
import { Changes, eventually } from '../helpers/eventually';
import { TestClient } from '../helpers/wsClient';

jest.setTimeout(30_000);

const MAIN = path.join(repoRoot, 'companion-service', 'src', 'main.ts');
const TSX = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

/** Preloaded into the service process: on exit it reports how many of jsforce's modules were loaded. */
const JSFORCE_PROBE = `process.on('exit', () => {
  const loaded = Object.keys(require.cache).filter((file) => /[\\\\/]node_modules[\\\\/](@jsforce[\\\\/])?jsforce(-node)?[\\\\/]/.test(file));
  process.stderr.write('jsforce modules loaded: ' + loaded.length + '\\n');
});`;

interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** Resolves when the process prints more. */
  printed: () => Promise<void>;
}

function startProcess(env: Record<string, string>): Started {
  const child = spawn(TSX, [MAIN], { env: { ...process.env, TANDEM_LOG_LEVEL: 'info', ...env }, cwd: repoRoot });
  let output = '';
  const changes = new Changes();
  const collect = (d: Buffer) => {
    output += d.toString();
    changes.notify();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return { child, output: () => output, printed: changes.next };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function listeningPort({ output, printed }: Started, timeoutMs = 20_000): Promise<number> {
  const listening = (text: string) => /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
  const text = await eventually(output, (o) => listening(o) !== null, 'the service to listen', timeoutMs, printed);
  return Number(listening(text)![1]);
}

describe('the service process', () => {
  it('refuses to start on a bad setting, naming it', async () => {
    const { child, output } = startProcess({ PORT: 'eighty' });
    expect(await exited(child)).toBe(78);
    expect(output()).toContain('Tandem cannot start: PORT must be a whole number, got "eighty"');
  });

  it('refuses the production profile without an agent token secret', async () => {
    const { child, output } = startProcess({ TANDEM_CONFIG: 'production' });
    expect(await exited(child)).toBe(78);
    expect(output()).toContain('TANDEM_AGENT_TOKEN_SECRET');
  });

  it('shuts down on SIGTERM, ending sessions for their members and closing other sockets with going-away, and exits 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-proc-'));
    try {
      const started = startProcess({ HOST: '127.0.0.1', PORT: '0', TANDEM_SQLITE_PATH: path.join(dir, 't.db') });
      const { child, output } = started;
      const port = await listeningPort(started);
      const visitor = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
      visitor.send({ type: 'visitor.start' });
      await visitor.next('session.created');
      const bystander = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
      const exit = exited(child);
      child.kill('SIGTERM');
      expect((await visitor.next('session.ended', 10_000)).reason).toBe(EndReason.ServiceRestart);
      expect((await visitor.closed(10_000)).code).toBe(CloseCode.SessionEnded);
      expect((await bystander.closed(10_000)).code).toBe(CloseCode.GoingAway);
      expect(await exit).toBe(0);
      expect(output()).toContain('shutting down');
      // Secrets stay out of the logs.
      expect(output()).not.toContain('embedded-development-secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not load the Salesforce client library when no org is configured', async () => {
    // jsforce holds about 8 MB of heap once loaded, which every full garbage collection marks again.
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-proc-'));
    try {
      const probe = path.join(dir, 'probe.js');
      writeFileSync(probe, JSFORCE_PROBE);
      const started = startProcess({
        HOST: '127.0.0.1',
        PORT: '0',
        TANDEM_SQLITE_PATH: path.join(dir, 't.db'),
        NODE_OPTIONS: `--require ${probe}`,
      });
      const { child, output } = started;
      const port = await listeningPort(started);
      expect((await fetch(`http://127.0.0.1:${port}/auth/salesforce/status`)).status).toBe(200);
      const exit = exited(child);
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(output()).toMatch(/jsforce modules loaded: \d+/);
      expect(output()).not.toMatch(/jsforce modules loaded: [1-9]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
