import type { OpenedCamera } from '../shared/camera';

/* What the console's first script (boot.ts) hands the console (console.ts): kept apart from boot.ts, whose import
 * would run it again inside console.js. */

export interface ConsoleBoot {
  /** A ticket is on its way (in the URL, or from the window that opened this one): the camera may start. */
  readonly expectingTicket: boolean;
  /** The ticket, or undefined when the window was opened without one. */
  readonly ticket: Promise<string | undefined>;
  /** The camera and microphone, opening since the first script ran when a ticket is expected (openCamera: it
   * rejects with a CameraError). Opening them is the longest step before the console can answer the customer's
   * call, so it runs while the rest of the console loads. */
  readonly camera?: Promise<OpenedCamera>;
  /** The socket that sent agent.join (once the ticket came). */
  socket?: WebSocket;
  /** What the socket received before the console took it over, as text, in order. */
  readonly received: string[];
  /** How it closed, if it did before the console took it over. */
  closed?: { code: number; reason: string };
}

const BOOT_GLOBAL = '__tandemConsoleBoot';

export function handBoot(boot: ConsoleBoot): void {
  (window as unknown as Record<string, ConsoleBoot>)[BOOT_GLOBAL] = boot;
}

/** The first script's hand-over, if it ran. */
export function takeBoot(): ConsoleBoot | undefined {
  return (window as unknown as Record<string, ConsoleBoot | undefined>)[BOOT_GLOBAL];
}
