/**
 * A server run as a child process: spawned without a shell (so the PID held is the server's), both output streams
 * always drained (a full pipe would block the child) with their tails kept for diagnostics, stopped by PID (SIGTERM,
 * then SIGKILL after a grace period) and waited for, and killed anyway when this process exits without stopping it.
 * A Node child started with `EXIT_WITH_PARENT` also ends itself when this process dies without a chance to stop it
 * (SIGKILL). Plus the loopback helpers that go with it: a free port, and whether a port accepts connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  pid: number;
  child: ChildProcess;
  /** What it wrote to stdout so far (the last 64 KiB). */
  stdout(): string;
  /** What it wrote to stderr so far (the last 64 KiB). */
  stderr(): string;
  /** stderr then stdout, for error messages. */
  output(): string;
  /** How it exited, once it has. */
  exitStatus(): ExitStatus | undefined;
  /** Resolves once the process has exited (whoever ended it). */
  exited: Promise<ExitStatus>;
  /** SIGTERM by PID, SIGKILL after `killAfterMs`, and waits until the process has exited. Idempotent. */
  stop(killAfterMs?: number): Promise<ExitStatus>;
}

export interface StartProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Names the process in error messages. Default: the command. */
  label?: string;
  /** Called with every chunk of stdout and stderr as it arrives (besides keeping the tails). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

const OUTPUT_LIMIT = 64 * 1024;

/** Run in the child before its own code: polls its parent PID; once reparented, SIGTERMs itself (and exits 2 s later). */
const PARENT_GUARD =
  "const parent=process.ppid,timer=setInterval(()=>{if(process.ppid===parent)return;clearInterval(timer);" +
  "process.kill(process.pid,'SIGTERM');setTimeout(()=>process.exit(143),2000).unref()},250);timer.unref()";

/**
 * Node options for a Node child server (put them before its script): it ends itself when its parent process goes
 * away, however the parent ended. The 'exit' safety net below covers every end of this process but SIGKILL; this
 * covers SIGKILL too. The guard is a data: URL, so it needs no file beside the compiled code.
 */
export const EXIT_WITH_PARENT: readonly string[] = ['--import', `data:text/javascript,${encodeURIComponent(PARENT_GUARD)}`];

/** Children not yet known to have exited: killed when this process exits. */
const live = new Set<ChildProcess>();
let safetyNetInstalled = false;

function killLiveChildren(): void {
  for (const child of live) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) signal(child.pid, 'SIGKILL');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Keeps the last 64 KiB written. */
function outputTail() {
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

/** Whether a process with this PID exists (signal 0 probes without sending anything). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Spawns `command args` with no stdin and piped stdout/stderr; resolves once the process is running. */
export async function startProcess(command: string, args: readonly string[], options: StartProcessOptions = {}): Promise<ServerProcess> {
  const label = options.label ?? command;
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = outputTail();
  const stderr = outputTail();
  const drain = (stream: 'stdout' | 'stderr', tail: ReturnType<typeof outputTail>) => (chunk: string) => {
    tail.push(chunk);
    options.onOutput?.(chunk, stream);
  };
  child.stdout!.setEncoding('utf8').on('data', drain('stdout', stdout));
  child.stderr!.setEncoding('utf8').on('data', drain('stderr', stderr));

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`${label} could not be started: ${error.message}`)));
  });
  const pid = child.pid!;
  live.add(child);
  if (!safetyNetInstalled) {
    process.once('exit', killLiveChildren);
    safetyNetInstalled = true;
  }
  const exitStatus = (): ExitStatus | undefined =>
    child.exitCode !== null || child.signalCode !== null ? { code: child.exitCode, signal: child.signalCode } : undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    const done = () => {
      live.delete(child);
      resolve(exitStatus()!);
    };
    if (exitStatus()) done();
    else child.once('exit', done);
  });

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
      return exited;
    })();
    return stopping;
  };

  return {
    pid,
    child,
    stdout: () => stdout.text,
    stderr: () => stderr.text,
    output: () => `--- stderr ---\n${stderr.text}\n--- stdout ---\n${stdout.text}`,
    exitStatus,
    exited,
    stop,
  };
}

/** A port that was free a moment ago: bind port 0, read it, release it. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((error) => (error ? reject(error) : port > 0 ? resolve(port) : reject(new Error('could not read the bound port'))));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves once the server accepts connections on host:port. Rejects (after stopping it) when it exits first or
 * does not listen within the timeout; the message ends with its output.
 */
export async function waitUntilAccepting(server: ServerProcess, host: string, port: number, timeoutMs: number, label = 'the server'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = server.exitStatus();
    if (status) throw new Error(`${label} exited before listening (code ${status.code}, signal ${status.signal})\n${server.output()}`);
    if (await canConnect(host, port)) return;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${label} did not accept connections on ${host}:${port} within ${timeoutMs} ms\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
