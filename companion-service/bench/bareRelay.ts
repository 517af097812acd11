/* Benchmark child: the baseline. A bare `ws` server on 127.0.0.1 with no framework, no validation and no sessions:
 * a client's first message {"pair":"<id>"} pairs it with the other client that sends the same id (both then get
 * {"paired":true}); every later message is forwarded to the partner as a text frame.
 * Same ws version and maxPayload as Tandem's /ws, per-message deflate off (as in Tandem).
 *
 *   --mode verbatim (default)  forwards the received bytes unchanged: the cost floor of any relay.
 *   --mode json                JSON.parse, then JSON.stringify, sent as a string: what a relay that re-serialises
 *                              every message (as Tandem's once did) pays for the JSON round trip alone. */
import { WebSocketServer, type WebSocket } from 'ws';
import { reply, serveControl } from './childControl';

const MAX_PAYLOAD = 262_144;
const modeArg = process.argv.indexOf('--mode');
const mode = modeArg >= 0 ? process.argv[modeArg + 1] : 'verbatim';
if (mode !== 'verbatim' && mode !== 'json') throw new Error(`unknown --mode ${String(mode)}`);

function rewrite(data: Buffer): string {
  return JSON.stringify(JSON.parse(data.toString()));
}

const waiting = new Map<string, WebSocket>();
const partners = new WeakMap<WebSocket, WebSocket>();

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });

wss.on('connection', (socket) => {
  let pairId: string | undefined;
  socket.on('error', () => undefined);
  socket.on('message', (data, isBinary) => {
    const partner = partners.get(socket);
    if (partner) {
      if (partner.readyState !== partner.OPEN) return;
      if (mode === 'json') partner.send(rewrite(data as Buffer));
      else partner.send(data as Buffer, { binary: isBinary });
      return;
    }
    if (pairId !== undefined) return; // still waiting for the partner: nothing to forward to
    let id: unknown;
    try {
      id = (JSON.parse(String(data)) as { pair?: unknown }).pair;
    } catch {
      id = undefined;
    }
    if (typeof id !== 'string') {
      socket.close(1008, 'first message must be {"pair":"<id>"}');
      return;
    }
    pairId = id;
    const other = waiting.get(id);
    if (!other) {
      waiting.set(id, socket);
      return;
    }
    waiting.delete(id);
    partners.set(socket, other);
    partners.set(other, socket);
    other.send('{"paired":true}');
    socket.send('{"paired":true}');
  });
  socket.on('close', () => {
    if (pairId !== undefined && waiting.get(pairId) === socket) waiting.delete(pairId);
    const partner = partners.get(socket);
    if (partner) partners.delete(partner);
  });
});

wss.on('listening', () => {
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected listen address');
  serveControl(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  reply({ ready: true, port: address.port, pid: process.pid });
});

wss.on('error', (err) => {
  process.stderr.write(`bare relay failed: ${err.stack ?? String(err)}\n`);
  process.exit(1);
});
