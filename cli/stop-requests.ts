/**
 * How a long-running command (the main run, `demo`, `fuzz`, `api`, `mock-api`) is stopped from outside: SIGINT
 * (Ctrl-C), SIGTERM or SIGHUP, or its parent process going away. The first request aborts the command's
 * AbortSignal, which the suites take as their stop input: the command stops sending, writes what it has and exits
 * (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). A second signal exits at once, with that signal's code (the
 * process 'exit' safety net of engine/server-process.ts still kills any child server).
 *
 * The parent going away counts as SIGTERM. `npx conformance ... &` in a shell script runs the tool through
 * `sh -c`, and a SIGTERM to npx reaches that shell, which dies without passing it on: the tool is left reparented.
 * What holds under npx, `sh -c`, npm scripts and CI runners alike is the parent PID, polled:
 * - our parent PID changes (we were reparented: the parent exited, whatever killed it);
 * - on Linux, when the parent is a `sh -c` wrapper (npm runs every bin and script through one), the wrapper's own
 *   parent PID changes too (npx or npm was killed, even with SIGKILL, and the wrapper is left waiting for us);
 * - an IPC channel, when we were started with one, disconnects.
 * Standard input is no signal: a background job of a script reads /dev/null, and CI runners often give none.
 *
 * Only the command line installs these process-wide handlers; the library layer takes an AbortSignal.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface StopRequest {
  /** A signal, or the parent going away. */
  source: 'signal' | 'parent';
  /** The signal, or SIGTERM for a parent that went away. */
  signal: NodeJS.Signals;
  /** In words, for reports: `stopped by signal (SIGTERM)`. */
  reason: string;
  /** 128 + the signal number: 130 SIGINT, 143 SIGTERM, 129 SIGHUP. */
  exitCode: number;
}

export interface StopListener {
  /** Aborted, with the request's `reason` as its reason, on the first stop request. */
  readonly signal: AbortSignal;
  /** The first stop request, once there was one. */
  request(): StopRequest | undefined;
  /** Removes the handlers and stops watching the parent. */
  close(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const EXIT_CODE: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
/** How often the parent is looked at: a stop within 2 s needs well under a second here. */
const PARENT_POLL_MS = 200;

export function listenForStop(): StopListener {
  const controller = new AbortController();
  let first: StopRequest | undefined;
  const stop = (request: StopRequest) => {
    if (first) return;
    first = request;
    controller.abort(request.reason);
  };
  const onSignal = (name: (typeof SIGNALS)[number]) => {
    // A second signal: the user means it. Exit now (children are killed by the 'exit' safety net).
    if (first) process.exit(EXIT_CODE[name]);
    stop({ source: 'signal', signal: name, reason: `stopped by signal (${name})`, exitCode: EXIT_CODE[name] });
  };
  for (const name of SIGNALS) process.on(name, onSignal);

  const parentGone = (what: string) => stop({ source: 'parent', signal: 'SIGTERM', reason: `stopped: ${what} (as on SIGTERM)`, exitCode: EXIT_CODE.SIGTERM });
  const watched = watchedAncestors();
  const timer = setInterval(() => {
    const gone = watched.find((ancestor) => ancestor.current() !== ancestor.initial);
    if (gone) parentGone(gone.what);
  }, PARENT_POLL_MS);
  timer.unref();
  const onDisconnect = () => parentGone('the parent process closed the IPC channel');
  if (process.connected) process.once('disconnect', onDisconnect);

  return {
    signal: controller.signal,
    request: () => first,
    close() {
      for (const name of SIGNALS) process.off(name, onSignal);
      clearInterval(timer);
      process.off('disconnect', onDisconnect);
    },
  };
}

interface Ancestor {
  what: string;
  initial: number | undefined;
  current(): number | undefined;
}

/** Our parent PID, and on Linux the parent PID of a `sh -c` wrapper we run under. */
function watchedAncestors(): Ancestor[] {
  const parent = process.ppid;
  const ancestors: Ancestor[] = [{ what: 'the parent process exited', initial: parent, current: () => process.ppid }];
  if (process.platform === 'linux' && isShellWrapper(parent)) {
    const grandparent = parentOf(parent);
    if (grandparent !== undefined) {
      // Once our parent has gone, its PID may be reused: the check above stops us before that matters.
      ancestors.push({ what: 'the process that ran it through sh -c exited', initial: grandparent, current: () => parentOf(parent) });
    }
  }
  return ancestors;
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'ksh', 'mksh']);

/** Whether the process runs `<shell> -c ...` (how npm and npx run a bin or a script). */
function isShellWrapper(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return SHELLS.has(path.basename(argv[0] ?? '')) && argv[1] === '-c';
  } catch {
    return false;
  }
}

/** The parent PID of a process (from /proc/PID/stat, after the command name in parentheses); undefined once gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}
