import { openCamera } from '../shared/camera';
import { socketUrl } from '../shared/socketUrl';
import { canCall } from '../shared/webrtc';
import { handBoot, type ConsoleBoot } from './bootHandoff';
import { startsWithVideo } from './startWithVideo';
import { receiveTicket, ticketExpected } from './ticket';

/* The console's first script, a small one that runs before its stylesheets and its own script (console.js, hundreds of
 * KB) have loaded: it takes the ticket (from the URL, or from the join page that opened the window) and sends
 * agent.join at once, with the agent's "Start my video when I join" choice, so that the service and the customer's
 * page set the call up while the rest of the console loads; and it starts the camera, which the console's side of the
 * call waits for. The console then takes the socket over with everything it received meanwhile, and the camera
 * (console.ts). */

// Read before receiveTicket takes the ticket.
const expectingTicket = ticketExpected();
// A browser that can't make calls opens no camera: nothing could carry it.
const camera = expectingTicket && canCall() ? openCamera() : undefined;
// Its refusal is the console's to show; until console.js takes it, it is not an unhandled rejection.
camera?.catch(() => undefined);
const boot: ConsoleBoot = { expectingTicket, ticket: receiveTicket(), received: [], ...(camera ? { camera } : {}) };
void boot.ticket.then((ticket) => {
  if (!ticket) return;
  const socket = new WebSocket(socketUrl(window.location.origin));
  socket.onopen = () => socket.send(JSON.stringify({ type: 'agent.join', ticket, video: startsWithVideo() }));
  socket.onmessage = (event) => boot.received.push(String(event.data));
  socket.onclose = (event) => (boot.closed = { code: event.code, reason: event.reason });
  boot.socket = socket;
});
handBoot(boot);
