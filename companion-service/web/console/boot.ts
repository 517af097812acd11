import { openCamera } from '../shared/camera';
import { socketUrl } from '../shared/socketUrl';
import { handBoot, type ConsoleBoot } from './bootHandoff';
import { startsWithVideo } from './startWithVideo';
import { receiveTicket } from './ticket';

/* The console's first script, a small one that runs before its stylesheets and its own script (console.js, hundreds of
 * KB) have loaded. With a session in view it starts, at once and side by side, the camera, the socket and taking the
 * ticket (from the URL, or from the join page that opened the window), and sends agent.join as soon as the socket
 * and the ticket are both there, so that the service and the customer's page set the call up while the rest of the
 * console loads. The console then takes the socket over with everything it received meanwhile (console.ts). */

// Read before receiveTicket takes the ticket out of the URL.
const expectingTicket = window.location.hash.includes('ticket=') || !!window.opener;
const boot: ConsoleBoot = {
  expectingTicket,
  ticket: receiveTicket(),
  // The call's connections are made with the camera's tracks.
  camera: expectingTicket ? openCamera() : undefined,
  received: [],
};
// Not left unhandled meanwhile: the console reports a failure when it takes the camera over.
boot.camera?.catch(() => undefined);

if (expectingTicket) {
  const socket = new WebSocket(socketUrl(window.location.origin));
  const opened = new Promise<void>((resolve) => socket.addEventListener('open', () => resolve(), { once: true }));
  socket.onmessage = (event) => boot.received.push(String(event.data));
  socket.onclose = (event) => (boot.closed = { code: event.code, reason: event.reason });
  void boot.ticket.then((ticket) => {
    if (!ticket) return socket.close();
    boot.socket = socket;
    void opened.then(() => socket.send(JSON.stringify({ type: 'agent.join', ticket, video: startsWithVideo() })));
  });
}
handBoot(boot);
