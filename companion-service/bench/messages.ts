/* The signaling traffic the benchmark sends: byte-for-byte the same frames to Tandem and to the bare relay.
 *
 * Each frame is a Tandem `signal` message, {"type":"signal","from":"<32 hex>","to":"<32 hex>","gen":1,"data":{...}},
 * carrying either a full SDP (offer from the agent, answer from the visitor, ~3.6 KB on the wire) or a trickled ICE
 * candidate (~290 B on the wire). The schema forbids extra fields, so the send time travels inside the payload text: a 15-digit
 * microsecond stamp after the marker `x-bench-ts:`, as an `a=` line of the SDP or an extension pair at the end of
 * the candidate string. Both servers forward the frame unchanged, so the receiver finds the stamp with one
 * Buffer.indexOf and no JSON parsing. */

export const STAMP_MARK = 'x-bench-ts:';
export const STAMP_DIGITS = 15;
const MARK_BYTES = Buffer.from(STAMP_MARK);
const PLACEHOLDER = '0'.repeat(STAMP_DIGITS);

/** A plausible browser SDP (audio + video + data channel) with the stamp line near the top. */
export function fakeSdp(kind: 'offer' | 'answer'): string {
  const setup = kind === 'offer' ? 'actpass' : 'active';
  const fingerprint =
    'sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4F:AD:B9:B1:3F:82:18:3B:54:02:12:DF';
  const ice = [
    'a=ice-ufrag:sP9u',
    'a=ice-pwd:uU5yXhOr6ZPtbnFFtv7qX/ae',
    'a=ice-options:trickle',
    `a=fingerprint:${fingerprint}`,
    `a=setup:${setup}`,
  ];
  const lines = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    `a=${STAMP_MARK}${PLACEHOLDER}`,
    'a=group:BUNDLE 0 1 2',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS 6f0a9c2e-7c7b-4b8e-9d7a-2f1d3c4b5a69',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    ...ice,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:6f0a9c2e-7c7b-4b8e-9d7a-2f1d3c4b5a69 0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    'a=ssrc:3735928559 cname:q4e8Ud2n7Xk1sLpA',
    'a=ssrc:3735928559 msid:6f0a9c2e-7c7b-4b8e-9d7a-2f1d3c4b5a69 0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 45 46',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    ...ice,
    'a=mid:1',
    'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:13 urn:3gpp:video-orientation',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=sendrecv',
    'a=msid:6f0a9c2e-7c7b-4b8e-9d7a-2f1d3c4b5a69 1c2d3e4f-5061-4b7c-8d9e-0f1a2b3c4d5e',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 goog-remb',
    'a=rtcp-fb:96 transport-cc',
    'a=rtcp-fb:96 ccm fir',
    'a=rtcp-fb:96 nack',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:98 VP9/90000',
    'a=rtcp-fb:98 goog-remb',
    'a=rtcp-fb:98 transport-cc',
    'a=rtcp-fb:98 ccm fir',
    'a=rtcp-fb:98 nack',
    'a=rtcp-fb:98 nack pli',
    'a=fmtp:98 profile-id=0',
    'a=rtpmap:99 rtx/90000',
    'a=fmtp:99 apt=98',
    'a=rtpmap:100 H264/90000',
    'a=rtcp-fb:100 goog-remb',
    'a=rtcp-fb:100 transport-cc',
    'a=rtcp-fb:100 ccm fir',
    'a=rtcp-fb:100 nack',
    'a=rtcp-fb:100 nack pli',
    'a=fmtp:100 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'a=rtpmap:101 rtx/90000',
    'a=fmtp:101 apt=100',
    'a=rtpmap:45 AV1/90000',
    'a=rtcp-fb:45 goog-remb',
    'a=rtcp-fb:45 transport-cc',
    'a=rtcp-fb:45 nack pli',
    'a=rtpmap:46 rtx/90000',
    'a=fmtp:46 apt=45',
    'a=ssrc-group:FID 2882400001 2882400002',
    'a=ssrc:2882400001 cname:q4e8Ud2n7Xk1sLpA',
    'a=ssrc:2882400002 cname:q4e8Ud2n7Xk1sLpA',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    ...ice,
    'a=mid:2',
    'a=sctp-port:5000',
    'a=max-message-size:262144',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** A trickled host/srflx candidate with the stamp appended. */
export function fakeCandidate(n: number): { candidate: string; sdpMLineIndex: number; sdpMid: string } {
  const port = 40000 + (n % 20000);
  return {
    candidate: `candidate:${1467250027 + n} 1 udp 1686052607 203.0.113.${n % 250} ${port} typ srflx raddr 10.0.0.5 rport ${port} generation 0 ufrag sP9u network-id 1 network-cost 10 ${STAMP_MARK}${PLACEHOLDER}`,
    sdpMLineIndex: 0,
    sdpMid: '0',
  };
}

/** A frame ready to be copied and stamped. */
export interface Template {
  bytes: Buffer;
  /** Offset of the first stamp digit. */
  stampAt: number;
}

export function signalTemplate(from: string, to: string, data: unknown): Template {
  const bytes = Buffer.from(JSON.stringify({ type: 'signal', from, to, gen: 1, data }));
  const mark = bytes.indexOf(MARK_BYTES);
  if (mark < 0) throw new Error('template without a stamp');
  return { bytes, stampAt: mark + MARK_BYTES.length };
}

/** A fresh copy of the template carrying `micros` (ws may keep the buffer queued, so it is never reused). */
export function stamped(t: Template, micros: number): Buffer {
  const out = Buffer.allocUnsafe(t.bytes.length);
  t.bytes.copy(out);
  let v = Math.round(micros);
  for (let i = t.stampAt + STAMP_DIGITS - 1; i >= t.stampAt; i--) {
    out[i] = 48 + (v % 10);
    v = Math.floor(v / 10);
  }
  return out;
}

/** The stamp of a received frame, or -1 when the frame carries none (a control or error message). */
export function readStamp(frame: Buffer): number {
  const mark = frame.indexOf(MARK_BYTES);
  if (mark < 0) return -1;
  const start = mark + MARK_BYTES.length;
  if (start + STAMP_DIGITS > frame.length) return -1;
  let v = 0;
  for (let i = start; i < start + STAMP_DIGITS; i++) {
    const d = (frame[i] as number) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
