/**
 * Runs the command line in this process (cli/main.ts with captured streams): the same parsing, wiring and exit
 * codes as bin/conformance.js, without a process start per run. Receivers are still real processes.
 */
import { main } from '../../cli/main.js';
import type { Io } from '../../cli/io.js';
import { REPO_ROOT } from './paths.js';

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<MainResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? REPO_ROOT,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
