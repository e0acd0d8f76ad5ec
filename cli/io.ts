import type { Output } from '../reports/output.js';
import { listenForStop, type StopListener } from './stop-requests.js';

export { UsageError } from '../job/usage-error.js';

/** Where a command writes. The real process streams by default; tests pass buffers. */
export interface Io extends Output {
  cwd: string;
  /**
   * Starts listening for stop requests from outside (signals, the parent going away: cli/stop-requests.ts); long
   * commands call it while they run. Absent where no process-wide handler may be installed (in-process tests).
   */
  listenForStop?(): StopListener;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), listenForStop };
}
