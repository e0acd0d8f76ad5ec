/**
 * A long-running child process for tests (a server): spawned without a shell so that the PID held is the
 * server's, both output streams always drained (a full pipe would block the child) with their tails kept for
 * diagnostics, stopped by PID (SIGTERM, then SIGKILL after a timeout) and waited for, and killed anyway when the
 * test process exits without stopping it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedChild {
  pid: number;
  child: ChildProcess;
  /** Everything written to stdout so far (its last 64 KiB). */
  stdout(): string;
  /** Everything written to stderr so far (its last 64 KiB). */
  stderr(): string;
  /** stderr then stdout, for error messages. */
  output(): string;
  /** How it exited, once it has. */
  exitStatus(): ExitStatus | undefined;
  /** Resolves with the match once stdout matches; rejects when the child exits first or the timeout passes. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM by PID, SIGKILL after `killAfterMs`, and waits until the child has exited. Idempotent. */
  stop(killAfterMs?: number): Promise<ExitStatus>;
}

export interface StartChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Names the child in error messages. Default: the command. */
  label?: string;
}

const OUTPUT_LIMIT = 64 * 1024;

/** Children not yet known to have exited: the safety net kills them when the test process exits. */
const live = new Set<ChildProcess>();
let safetyNetInstalled = false;

function killLiveChildren(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function tail() {
  let text = '';
  return {
    push(chunk: string) {
      text += chunk;
      if (text.length > OUTPUT_LIMIT) text = text.slice(text.length - OUTPUT_LIMIT);
    },
    get text() {
      return text;
    },
  };
}

/** Resolves true once the child has exited, false after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Spawns `command args` with no stdin and piped stdout/stderr; resolves once the process is running. */
export async function startChild(command: string, args: string[], options: StartChildOptions = {}): Promise<ManagedChild> {
  const label = options.label ?? command;
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = tail();
  const stderr = tail();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`${label} could not be started: ${error.message}`)));
  });
  const pid = child.pid!;
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!safetyNetInstalled) {
    process.once('exit', killLiveChildren);
    safetyNetInstalled = true;
  }

  const exitStatus = (): ExitStatus | undefined =>
    child.exitCode !== null || child.signalCode !== null ? { code: child.exitCode, signal: child.signalCode } : undefined;
  const output = () => `--- stderr ---\n${stderr.text}\n--- stdout ---\n${stdout.text}`;

  let stopping: Promise<ExitStatus> | undefined;
  const stop = (killAfterMs = 5000): Promise<ExitStatus> => {
    stopping ??= (async () => {
      if (!exitStatus()) {
        signal(pid, 'SIGTERM');
        if (!(await waitForExit(child, killAfterMs))) {
          signal(pid, 'SIGKILL');
          if (!(await waitForExit(child, 5000))) throw new Error(`${label} (pid ${pid}) did not exit after SIGKILL`);
        }
      }
      return exitStatus()!;
    })();
    return stopping;
  };

  const waitForStdout = (pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = stdout.text.match(pattern);
        if (match) finish(() => resolve(match));
        return match !== null;
      };
      const onData = () => void check();
      const onExit = () => {
        // Output written just before exiting may still be in the pipe: look once more when the streams close.
        setImmediate(() => {
          if (!check()) finish(() => reject(new Error(`${label} exited (${JSON.stringify(exitStatus())}) before printing ${pattern}\n${output()}`)));
        });
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${label} did not print ${pattern} within ${timeoutMs} ms\n${output()}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('close', onExit);
        settle();
      };
      child.stdout!.on('data', onData);
      child.once('close', onExit);
      if (!check() && child.stdout!.closed && exitStatus()) onExit();
    });

  return { pid, child, stdout: () => stdout.text, stderr: () => stderr.text, output, exitStatus, waitForStdout, stop };
}
