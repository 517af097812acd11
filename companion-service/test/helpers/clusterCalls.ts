import { createHash } from 'node:crypto';
import type { PeerLink, ServerMessage } from '../../src/protocol/messages';
import { eventually } from './eventually';
import { ResumingClient } from './resumingClient';

/* Calls without a browser, through a cluster's load balancer: a visitor's tab and an agent, each a ResumingClient,
 * joined by 1-click connect (the agent invites the visitor, who accepts the terms: an acceptance row for each call), and
 * signals flowing between them as simple-peer's would (SignalPump). */

export const DEMO_SITE_KEY = 'demo-site-api-key-for-local-use-only';

export interface WsCall {
  /** The visitor's id on the customer's site (a Contact id). */
  customerId: string;
  sessionId: string;
  visitor: ResumingClient;
  agent: ResumingClient;
  visitorId: string;
  agentId: string;
}

async function json<T>(response: Response, expected: number): Promise<T> {
  if (response.status !== expected) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function agentToken(baseUrl: string, name = 'Ana Agent'): Promise<string> {
  const response = await fetch(`${baseUrl}/api/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return (await json<{ token: string }>(response, 200)).token;
}

export async function visitorToken(baseUrl: string, customerId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/visitor-tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tandem-site-key': DEMO_SITE_KEY },
    body: JSON.stringify({ visitorId: customerId, name: 'Maya' }),
  });
  return (await json<{ token: string }>(response, 201)).token;
}

/** The visitor's tab, online (`visitor.hello` answered). */
export async function visitorTab(baseUrl: string, wsUrl: string, customerId: string): Promise<ResumingClient> {
  const token = await visitorToken(baseUrl, customerId);
  const tab = await ResumingClient.connect(wsUrl);
  tab.send({ type: 'visitor.hello', visitorToken: token });
  await tab.next('presence.registered');
  return tab;
}

/** The agent invites the visitor (POST /api/agent/invitations), joins with the ticket; the visitor's tab accepts the
 * terms it is shown. Resolves once both are in the call. */
export async function oneClickCall(
  urls: { baseUrl: string; wsUrl: string },
  token: string,
  customerId: string,
  tab?: ResumingClient,
): Promise<WsCall> {
  const visitor = tab ?? (await visitorTab(urls.baseUrl, urls.wsUrl, customerId));
  const invited = await fetch(`${urls.baseUrl}/api/agent/invitations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ visitorId: customerId }),
  });
  const { sessionId, ticket } = await json<{ sessionId: string; ticket: string }>(invited, 201);
  const agent = await ResumingClient.connect(urls.wsUrl);
  agent.send({ type: 'agent.join', ticket });
  const joined = await agent.next('session.joined');
  const prompt = await visitor.next('terms.prompt', 10_000);
  const termsHash = createHash('sha256').update(prompt.termsText).digest('hex');
  visitor.send({ type: 'terms.accept', invitationId: prompt.invitationId, termsHash });
  const accepted = await visitor.next('session.joined', 10_000);
  await agent.next('peer.joined', 10_000);
  return { customerId, sessionId, visitor, agent, visitorId: accepted.self.id, agentId: joined.self.id };
}

/** The generation of the pair `client` → `peerId`, as `client` last heard it (joined, resumed, a peer joining, a reset). */
export function generation(client: ResumingClient, peerId: string): number | undefined {
  let gen: number | undefined;
  const consider = (link: PeerLink) => {
    if (link.peer.id === peerId) gen = link.gen;
  };
  for (const { message } of client.log as Array<{ message: ServerMessage }>) {
    if (message.type === 'session.joined') message.peers.forEach(consider);
    else if (message.type === 'peer.joined' || message.type === 'pair.reset') consider(message.link);
  }
  return gen;
}

/** Signals between the two members of every call, both ways, on a fixed schedule, as simple-peer trickles candidates:
 * each carries its sequence number in the candidate text, so the receiver counts what arrived per direction. A signal
 * sent while the sender is reconnecting is not sent (as a browser can't); one the service drops meanwhile is lost. */
export class SignalPump {
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  readonly sent = new Map<ResumingClient, number>();

  constructor(private readonly calls: () => readonly WsCall[]) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      for (const call of this.calls()) {
        this.sendOne(call.visitor, call.visitorId, call.agentId);
        this.sendOne(call.agent, call.agentId, call.visitorId);
      }
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Signals `receiver` got from its peer so far. */
  static received(receiver: ResumingClient): number {
    return receiver.log.filter((e) => e.message.type === 'signal').length;
  }

  /** Waits until every member of every call has received signals past what it had at `baseline`. */
  static async flowing(
    calls: readonly WsCall[],
    baseline: Map<ResumingClient, number>,
    timeoutMs = 10_000,
  ): Promise<void> {
    const behind = () =>
      calls.flatMap((c) =>
        [c.visitor, c.agent]
          .filter((m) => SignalPump.received(m) <= (baseline.get(m) ?? 0))
          .map((m) => `${c.sessionId}/${m === c.visitor ? 'visitor' : 'agent'}`),
      );
    await eventually(behind, (list) => list.length === 0, 'signals flowing both ways in every call', timeoutMs, 200);
  }

  static counts(calls: readonly WsCall[]): Map<ResumingClient, number> {
    return new Map(calls.flatMap((c) => [c.visitor, c.agent].map((m) => [m, SignalPump.received(m)] as const)));
  }

  private sendOne(sender: ResumingClient, from: string, to: string): void {
    const gen = generation(sender, to);
    if (gen === undefined || !sender.isOpen) return;
    const candidate = `candidate:${++this.seq} 1 udp 2122260223 10.0.0.${this.seq % 250} ${5000 + (this.seq % 1000)} typ host generation 0`;
    if (
      sender.send({
        type: 'signal',
        from,
        to,
        gen,
        data: { type: 'candidate', candidate: { candidate, sdpMLineIndex: 0, sdpMid: '0' } },
      })
    ) {
      this.sent.set(sender, (this.sent.get(sender) ?? 0) + 1);
    }
  }
}
