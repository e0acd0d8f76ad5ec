/**
 * A long-running child process for tests (a server): engine/server-process.ts (spawned without a shell so that the
 * PID held is the server's, output drained and kept, stopped by PID and waited for, killed anyway when the test
 * process exits), plus waiting for a line on its stdout.
 */
import { startProcess, waitForExit, type ExitStatus, type ServerProcess } from '../../engine/server-process.js';

export { waitForExit, type ExitStatus };

/** A server process (engine/server-process.ts) that can also wait for a line on its stdout. */
export interface ManagedChild extends Omit<ServerProcess, 'exited'> {
  /** Resolves with the match once stdout matches; rejects when the child exits first or the timeout passes. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

export interface StartChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Names the child in error messages. Default: the command. */
  label?: string;
}

/** Spawns `command args` with no stdin and piped stdout/stderr (engine/server-process.ts); resolves once it runs. */
export async function startChild(command: string, args: string[], options: StartChildOptions = {}): Promise<ManagedChild> {
  const label = options.label ?? command;
  const server = await startProcess(command, args, options);
  const { child, exitStatus, output } = server;

  const waitForStdout = (pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = server.stdout().match(pattern);
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

  return { ...server, waitForStdout };
}
