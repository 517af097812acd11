/** The relayed form of a `signal`: the sender's own text, already validated against `SignalOut`, with the
 * server-set `from` put first. Forwarding the text instead of re-serialising the parsed value keeps the relay's hot
 * path free of a JSON.stringify of every SDP. `from` cannot be forged: `SignalOut` admits no other keys, so the only
 * `from` in the result is the server's. Duplicate keys read the same on both ends (JSON.parse keeps the last). */
export function signalForRecipient(from: string, validatedSignalText: string): string {
  // A text that parsed to an object starts with optional whitespace and '{'.
  const open = validatedSignalText.indexOf('{');
  return `{"from":${JSON.stringify(from)},${validatedSignalText.slice(open + 1)}`;
}
