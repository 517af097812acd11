import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/* A minimal TURN client over UDP (RFC 8656 with the long-term credential mechanism of RFC 8489), enough to ask a real
 * coturn for an allocation and then refresh it or add a permission at a moment the test chooses, which a browser
 * doesn't let a test do (Chrome refreshes on its own schedule). Only what the tests read is decoded. */

const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
const INTEGRITY_BYTES = 24; // attribute header + HMAC-SHA1

export const TurnMethod = { allocate: 0x003, refresh: 0x004, createPermission: 0x008 } as const;
type Method = (typeof TurnMethod)[keyof typeof TurnMethod];

const Attr = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  requestedTransport: 0x0019,
} as const;

export interface TurnResponse {
  ok: boolean;
  /** The error code of an error response (401, 438, …). */
  errorCode?: number;
  /** LIFETIME of a success response to an Allocate or Refresh, in seconds. */
  lifetime?: number;
}

interface Credentials {
  username: string;
  password: string;
}

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([header, value, padding]);
}

const uint32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};

/** XOR-PEER-ADDRESS for an IPv4 address (any port). */
function xorPeerAddress(ipv4: string): Buffer {
  const value = Buffer.alloc(8);
  value.writeUInt8(0x01, 1); // family IPv4
  value.writeUInt16BE(9 ^ (MAGIC_COOKIE >>> 16), 2);
  const address = ipv4.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  value.writeUInt32BE((address ^ MAGIC_COOKIE) >>> 0, 4);
  return value;
}

function encode(method: Method, attributes: Buffer[], integrityKey?: Buffer): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(method, 0); // class: request
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  randomBytes(12).copy(header, 8);
  if (!integrityKey) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY covers the message up to itself, with a length that already counts it.
  header.writeUInt16BE(body.length + INTEGRITY_BYTES, 2);
  const hmac = createHmac('sha1', integrityKey)
    .update(Buffer.concat([header, body]))
    .digest();
  return Buffer.concat([header, body, attribute(Attr.messageIntegrity, hmac)]);
}

function decode(message: Buffer): { type: number; attributes: Map<number, Buffer> } {
  const attributes = new Map<number, Buffer>();
  let offset = HEADER_BYTES;
  while (offset + 4 <= message.length) {
    const type = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    attributes.set(type, message.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length + ((4 - (length % 4)) % 4);
  }
  return { type: message.readUInt16BE(0), attributes };
}

/** One client 5-tuple, as one browser relay candidate is: its allocation lives as long as this client refreshes it. */
export class TurnClient {
  private readonly socket: Socket = createSocket('udp4');
  private realm: Buffer | undefined;
  private nonce: Buffer | undefined;

  constructor(
    private readonly server: { host: string; port: number },
    private readonly credentials: Credentials,
  ) {}

  allocate(): Promise<TurnResponse> {
    return this.authenticated(TurnMethod.allocate, [attribute(Attr.requestedTransport, uint32(17 << 24))]);
  }

  refresh(lifetimeSeconds: number): Promise<TurnResponse> {
    return this.authenticated(TurnMethod.refresh, [attribute(Attr.lifetime, uint32(lifetimeSeconds))]);
  }

  createPermission(peerIpv4: string): Promise<TurnResponse> {
    return this.authenticated(TurnMethod.createPermission, [attribute(Attr.xorPeerAddress, xorPeerAddress(peerIpv4))]);
  }

  close(): void {
    this.socket.close();
  }

  /** Sends the request with the credentials; first learns realm and nonce from the server's 401 challenge, and
   * answers a 438 (stale nonce) with the new nonce once, as a client must. */
  private async authenticated(method: Method, attributes: Buffer[]): Promise<TurnResponse> {
    if (!this.nonce) await this.exchange(method, attributes);
    let reply = await this.exchange(method, attributes, true);
    if (reply.errorCode === 438) reply = await this.exchange(method, attributes, true);
    return reply;
  }

  private async exchange(method: Method, attributes: Buffer[], withCredentials = false): Promise<TurnResponse> {
    const { username, password } = this.credentials;
    const request =
      withCredentials && this.realm && this.nonce
        ? encode(
            method,
            [
              ...attributes,
              attribute(Attr.username, Buffer.from(username)),
              attribute(Attr.realm, this.realm),
              attribute(Attr.nonce, this.nonce),
            ],
            createHash('md5').update(`${username}:${this.realm.toString()}:${password}`).digest(),
          )
        : encode(method, attributes);
    const { type, attributes: answer } = decode(await this.send(request));
    // Every error response of the long-term mechanism carries the realm and nonce to use next.
    this.realm = answer.get(Attr.realm) ?? this.realm;
    this.nonce = answer.get(Attr.nonce) ?? this.nonce;
    const ok = (type & 0x0110) === 0x0100;
    const error = answer.get(Attr.errorCode);
    const lifetime = answer.get(Attr.lifetime);
    return {
      ok,
      ...(error ? { errorCode: (error.readUInt8(2) & 0x07) * 100 + error.readUInt8(3) } : {}),
      ...(lifetime ? { lifetime: lifetime.readUInt32BE(0) } : {}),
    };
  }

  /** Sends one request and waits for the response with its transaction id (UDP: resent until answered). */
  private send(request: Buffer): Promise<Buffer> {
    const transaction = request.subarray(8, 20);
    return new Promise((resolve, reject) => {
      const onMessage = (message: Buffer) => {
        if (message.length < HEADER_BYTES || !message.subarray(8, 20).equals(transaction)) return;
        finish();
        resolve(message);
      };
      const resend = setInterval(() => this.socket.send(request, this.server.port, this.server.host), 500);
      const timeout = setTimeout(() => {
        finish();
        reject(new Error(`no answer from the TURN server at ${this.server.host}:${this.server.port}`));
      }, 5000);
      const finish = () => {
        clearInterval(resend);
        clearTimeout(timeout);
        this.socket.off('message', onMessage);
      };
      this.socket.on('message', onMessage);
      this.socket.send(request, this.server.port, this.server.host);
    });
  }
}
