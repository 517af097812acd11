// simple-peer 9 and its readable-stream expect Node's Buffer and process; esbuild injects these where used.
import { Buffer } from 'buffer';
import process from 'process';

export { Buffer, process };
