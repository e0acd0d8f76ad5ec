/**
 * The API fakes (examples/api-servers, compiled to dist/) as real processes for end-to-end tests of `conformance
 * api`: the compliant fake, or a faulty one with a planted defect, on 127.0.0.1 and a free port.
 */
import path from 'node:path';
import { startChild } from './child-process.js';
import { REPO_ROOT } from './paths.js';

export const API_SERVERS_DIR = path.join(REPO_ROOT, 'dist/examples/api-servers');

/** The one line a fake prints once it listens. */
export const API_FAKE_LISTENING = /^Zoom API fake(?: \(defect: ([a-z-]+)\))? listening on (http:\/\/127\.0\.0\.1:(\d+))\n/;

export interface RunningApiFake {
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the compliant fake (no defect) or a faulty one; resolves once it has printed its listening line. */
export async function startApiFake(options: { token: string; defect?: string }): Promise<RunningApiFake> {
  const script = path.join(API_SERVERS_DIR, options.defect === undefined ? 'compliant.js' : 'faulty.js');
  const args = [script, ...(options.defect === undefined ? [] : ['--defect', options.defect]), '--port', '0', '--host', '127.0.0.1'];
  const child = await startChild(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ZOOM_API_TOKEN: options.token },
    label: `api fake ${options.defect ?? 'compliant'}`,
  });
  let match: RegExpMatchArray;
  try {
    match = await child.waitForStdout(API_FAKE_LISTENING, 15_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    url: match[2]!,
    pid: child.pid,
    output: child.output,
    stop: async () => {
      await child.stop();
    },
  };
}
