/** Co-browsing's pacing as plain constants, shared by the service and the console's bundle. */

/** The least time between two requests to a customer's page for a full snapshot (cobrowse.snapshot.needed): each
 * serialises their whole page on their main thread. The service enforces it; the console paces its own asking to it. */
export const SNAPSHOT_REQUEST_INTERVAL_MS = 1000;
