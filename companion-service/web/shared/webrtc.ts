/* Whether this browser can make calls at all. WebRTC is missing from some browsers and turned off in others: Firefox's
 * media.peerconnection.enabled (set off by privacy-minded people and their browser builds), enterprise policies,
 * privacy extensions. Such a participant still takes part in the session without video or sound: they say so once
 * (media.set with webrtc: false), and nobody connects to them. */

export function canCall(): boolean {
  return typeof globalThis.RTCPeerConnection === 'function';
}
