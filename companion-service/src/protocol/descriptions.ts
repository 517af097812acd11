import type { ClientMessageType, ServerMessageType } from './messages';

/* What each message is for, in a sentence or two, for docs/protocol.md (scripts/protocolDoc.ts). Typed over every
 * message type: a new message without a description does not compile. */

export const ClientMessageDescriptions: Record<ClientMessageType, string> = {
  'visitor.start': 'A visitor starts a session and gets its key, the digits they read out to the agent.',
  'agent.join':
    'An agent joins a session: with the key the visitor read out and their agent token, or with a console ticket (1-click connect, the Salesforce component).',
  'session.resume':
    'Back into the session after a dropped connection or a page load, with the resume token of the last `session.created` or `session.joined`.',
  signal:
    "WebRTC signalling for one pair of participants (simple-peer payloads). The sender names itself in `from`; the frame is relayed as it is, to `to` in the same session, only if `from` is the socket's own participant and `gen` is the pair's current generation.",
  'pair.restart': 'Start the peer connection with one peer over; both ends get `pair.reset` with a new generation.',
  'session.leave': 'Hang up. Whether the session goes on depends on who leaves: see the end and leave reasons.',
  'session.end': 'The agent ends the session for everyone.',
  'visitor.hello':
    "A signed-in visitor's tab announces itself with the visitor token its site issued, so agents see them online.",
  'visitor.active': 'This tab is the one the visitor is using now: an invitation goes to the tab used last.',
  'terms.accept':
    'The visitor accepts an invitation, naming the SHA-256 (hex) of the exact terms text they were shown.',
  'terms.decline': 'The visitor declines an invitation.',
  'agent.watch':
    "An agent follows some visitors' presence: a `presence` message for each now, and again whenever it changes.",
  'guest.invite.create': 'The agent asks for a link to invite a guest.',
  'guest.request': 'Someone with a guest link asks to join under a name, and gets a code to read out to the agent.',
  'guest.extend': 'A waiting guest asks for more time: a new code.',
  'guest.admit': "The agent lets a waiting guest in by the code on the guest's screen.",
  'guest.eject': 'The agent removes a guest from the session.',
  'peer.pause': 'The agent pauses the video of the customer or a guest for everyone, or lets it show again.',
  'media.set':
    "The sender turns their own video on or off, or says that their browser can't make calls (`webrtc: false`).",
  'problem.report':
    'An agent reports a problem with the session, with connection diagnostics; the answer is a reference for support.',
  'cobrowse.events':
    "A batch of rrweb events from the visitor's page, for the session's agents only: JSON or deflate+base64, split into parts when large.",
  'cobrowse.snapshot.request':
    "An agent asks the visitor's page for a fresh full snapshot. The page is asked at once, then at most once a second: requests in between become one, at the end of that second.",
  'control.request': 'The agent asks the visitor for remote control.',
  'control.answer': 'The visitor grants remote control, or refuses it.',
  'control.release': 'Either side ends remote control.',
  'control.input':
    "The agent's input, for the visitor's page to replay on its real elements (while remote control is on). `seq` " +
    "numbers the view's actions; the page reports its focus with the last one it took, so the view can tell a report " +
    "from before the agent's own choice of field.",
  'control.navigate': "The agent takes the visitor's page back, forward, or reloads it (while remote control is on).",
  'a11y.read': "The agent has the visitor's screen reader read out an element of the page.",
  'share.start':
    'An agent with the screen-share privilege shares a tab, window or screen with everyone in the call; `streamId` names the stream it arrives in on the peer connections.',
  'share.request': 'An agent with the screen-share privilege asks the customer to share their screen with the agents.',
  'share.answer': 'The customer shares (with the stream id of what they picked) or declines.',
  'share.stop': 'The sharer stops sharing; an agent may stop any share, or withdraw the request.',
  'guide.pointer':
    "The agent's pointer over the live view, as an element and a place in its box (null: it left the view), for the visitor's page to show as the agent's cursor. Agents only, while the visitor's page is shared; rate-limited.",
  'guide.gesture':
    'The agent clicked an element in the live view without remote control: a ripple on it for the visitor.',
  'guide.stroke':
    "Part of a drawing over the visitor's page: up to 64 points in page pixels, continuing the stroke with the same number; `end` when the pen is lifted.",
  'guide.clear': "The agent clears their drawings from the visitor's page.",
  probe: 'Changes nothing. Its answer comes after the answers to everything sent before it on the socket.',
};

export const ServerMessageDescriptions: Record<ServerMessageType, string> = {
  error: 'A message was refused and changed nothing. `message` is text to show people.',
  'session.created':
    "The visitor's new session: its key and when that expires, the visitor's own participant, a resume token and ICE servers.",
  'session.joined':
    'The socket is in the session: who it is, who is there already (each link says who makes the offer), and a resume token. A guest gets it, unasked, when the agent admits them. Nothing from the others (their signals included) reaches the socket before it.',
  'peer.joined':
    'Someone joined the session: connect to them, with the fresh ICE servers it carries when TURN is configured.',
  'peer.left': 'Someone left; the session goes on.',
  'peer.away': "Someone's connection dropped; they have a grace period to come back.",
  'peer.back': 'They came back within the grace period.',
  'pair.reset':
    'The peer connection with this peer starts over with a new generation (and fresh ICE servers when TURN is configured); signals of older ones are to be ignored.',
  signal: 'A signal from `from`: the exact bytes its sender sent.',
  'session.ended': 'The session is over, and why. Also the answer to resuming a session that is over.',
  'presence.registered': 'The tab is known as this signed-in visitor.',
  presence: "Whether a followed visitor is online on any of the agent's sites.",
  'terms.prompt': 'An agent invites the visitor: show the terms as plain text and ask before the prompt expires.',
  'terms.closed': "The prompt is over without this tab's answer.",
  'guest.invite': 'The link to give a guest, and when it expires.',
  'guest.code':
    'The code the guest reads out to the agent, when it expires, and how many more times it can be renewed.',
  'guest.removed': 'The agent removed this guest.',
  'peer.media': "A participant's video changed: their own switch, or paused by the agent.",
  'session.info': "For agents: the session's key and the visitor's device, for Customer Info.",
  'problem.reported': 'The problem report was stored under this reference.',
  'cobrowse.events': "The visitor's page events, for agents; `from` is the visitor.",
  'cobrowse.snapshot.needed': 'To the visitor: record a fresh full snapshot (an agent joined, or fell behind).',
  'control.state': 'Remote control as it stands now, and the agent who has it.',
  'control.input': 'To the visitor: replay this input on the page; report focus with its `seq` from now on.',
  'control.navigate': 'To the visitor: go back, forward, or reload.',
  'a11y.read': 'To the visitor: have the screen reader read out this element.',
  'share.state':
    "Screen share as it stands: off, asked for, or on (who shares, and the stream id to show large). The customer's screen is told to the customer and agents only.",
  'guide.pointer': "To the visitor: show the agent's named cursor at this place of this element, or hide it (null).",
  'guide.gesture': 'To the visitor: show a short ripple at this place of this element.',
  'guide.stroke':
    "To the visitor: draw these points of the agent's stroke over the page; it fades a few seconds after it ends.",
  'guide.clear': "To the visitor: remove the agent's drawings.",
  probe: 'The answer to a `probe`.',
};
