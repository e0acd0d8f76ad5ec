import type { Output } from '../reports/output.js';

/** Where a command writes. The real process streams by default; tests pass buffers. */
export interface Io extends Output {
  cwd: string;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** A usage or configuration problem: one line on stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
