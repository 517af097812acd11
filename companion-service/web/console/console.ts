import { CAMERA_HELP, CameraError, openCamera, stopStream } from '../shared/camera';
import { videoFor } from '../shared/dom';
import { PeerMesh } from '../shared/peerMesh';
import { SignalingClient, socketUrl } from '../shared/signalingClient';

/* The agent console, opened by the join page (or Salesforce) with a single-use ticket in the URL fragment. */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const setStatus = (text: string) => ($('status').textContent = text);
function setAlert(text: string | undefined): void {
  $('alert').textContent = text ?? '';
  $('alert').hidden = !text;
}

function takeTicket(): string | undefined {
  const ticket = new URLSearchParams(window.location.hash.slice(1)).get('ticket') ?? undefined;
  // Single use anyway, but keep it out of the history and out of anything copied from the address bar.
  history.replaceState(null, '', window.location.pathname);
  return ticket;
}

function finish(text: string, stream: MediaStream | undefined): void {
  stopStream(stream);
  setStatus(text);
  $<HTMLButtonElement>('end-button').disabled = true;
  window.close();
}

async function main(): Promise<void> {
  const ticket = takeTicket();
  if (!ticket) {
    setStatus('This console was opened without a session. Join from Salesforce or the join page.');
    return;
  }
  let stream: MediaStream | undefined;
  try {
    setStatus('Starting your camera…');
    stream = await openCamera();
    $('local').append(videoFor(stream, 'Your camera preview', true));
  } catch (err) {
    setAlert(`${CAMERA_HELP[err instanceof CameraError ? err.problem : 'unknown']} You can still see and hear the visitor.`);
  }

  const client = new SignalingClient(socketUrl(window.location.origin));
  const mesh = new PeerMesh(client, stream, {
    onRemoteStream: (peerId, remote) => {
      const container = $('remote');
      container.replaceChildren(videoFor(remote, 'Visitor video', false));
      container.dataset.peer = peerId;
    },
    onPeerClosed: (peerId) => {
      const container = $('remote');
      if (container.dataset.peer === peerId) container.replaceChildren('The visitor\u2019s video has stopped.');
    },
  });
  client.on('session.joined', (m) => {
    mesh.setIceServers(m.iceServers);
    mesh.sync(m.peers, m.resumed);
    $('session-label').textContent = `Session ${m.code}`;
    $<HTMLButtonElement>('end-button').disabled = false;
    setStatus(m.resumed ? 'Reconnected.' : 'Connected. Connecting video…');
  });
  client.on('peer.away', () => setStatus('The visitor\u2019s connection dropped. Waiting for them to come back…'));
  client.on('peer.back', () => setStatus('The visitor is back.'));
  client.on('session.ended', (m) => finish(m.reason === 'agent_ended' ? 'You ended the session.' : 'The visitor ended the session.', stream));
  client.on('error', (m) => setAlert(m.message));
  client.onStateChange = (state) => {
    if (state === 'reconnecting') setStatus('Connection lost. Reconnecting…');
  };
  $('end-button').addEventListener('click', () => {
    $<HTMLButtonElement>('end-button').disabled = true;
    client.send({ type: 'session.end' });
  });
  setStatus('Joining the session…');
  client.connect({ type: 'agent.join', ticket });
}

void main();
