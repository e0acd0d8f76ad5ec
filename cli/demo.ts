/**
 * `conformance demo`: starts the bundled reference receiver (compliant, or one with a planted defect) on a free
 * loopback port as a child process, runs the suites against it with its observer, and stops it. A newcomer sees a
 * full run (green, or with exactly the failures the defect causes) in one command.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT_WITH_PARENT, startProcess } from '../engine/server-process.js';
import { printable } from '../reports/console.js';
import { UsageError, type Io } from './io.js';
import { flagName } from '../job/plan.js';
import { optionsFromFlags, runCommand, type RunFlags } from './run.js';

/** The compiled reference receivers: beside this file in dist/, or in dist/ when this file runs from source (tsx). */
const RECEIVERS = [new URL('../examples/receivers/', import.meta.url), new URL('../dist/examples/receivers/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(`${dir}compliant.js`)) ?? fileURLToPath(new URL('../examples/receivers/', import.meta.url));
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+\/\S+) \(observer: (http:\/\/127\.0\.0\.1:\d+\/\S+)\)/;
const START_TIMEOUT_MS = 10_000;

export interface DemoOptions extends Omit<RunFlags, 'target' | 'secret' | 'observe' | 'config'> {
  defect?: string;
}

export interface StartedReceiver {
  url: string;
  observeUrl: string;
  stop(): Promise<void>;
}

export async function demoCommand(options: DemoOptions, io: Io): Promise<number> {
  // A throwaway secret shared with the receiver only; never printed.
  const secret = randomBytes(18).toString('base64url');
  const receiver = await startReferenceReceiver(secret, options.defect);
  const planted = options.defect ? ` with the planted ${options.defect.includes(',') ? 'defects' : 'defect'} "${printable(options.defect)}"` : '';
  io.stdout.write(`demo: reference receiver${planted} at ${printable(receiver.url)}\n`);
  try {
    const { defect: _defect, ...run } = options;
    const prefix = `npx conformance demo${options.defect ? ` --defect ${options.defect}` : ''}`;
    return await runCommand({ ...optionsFromFlags(run), target: receiver.url, secret, observe: receiver.observeUrl }, io, { nameOf: flagName, reproduce: { kind: 'command', prefix } });
  } finally {
    await receiver.stop();
  }
}

/** Starts a compiled reference receiver (compliant, or with a planted defect) on a free loopback port. */
export async function startReferenceReceiver(secret: string, defect?: string): Promise<StartedReceiver> {
  const script = `${RECEIVERS}${defect ? 'faulty.js' : 'compliant.js'}`;
  if (!existsSync(script)) throw new UsageError(`the reference receiver is missing (${script}); run \`npm run build\``);
  // The receiver ends itself if this process is killed without a chance to stop it (SIGKILL).
  const args = [...EXIT_WITH_PARENT, script, '--port', '0', '--host', '127.0.0.1', ...(defect ? ['--defect', defect] : [])];
  let seen = '';
  let listened: (match: RegExpExecArray) => void = () => {};
  const listening = new Promise<RegExpExecArray>((resolve) => (listened = resolve));
  const server = await startProcess(process.execPath, args, {
    env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: secret },
    label: 'the reference receiver',
    onOutput(chunk, stream) {
      if (stream !== 'stdout') return;
      seen += chunk;
      const match = LISTENING.exec(seen);
      if (match) listened(match);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const match = await Promise.race([
      listening,
      server.exited.then((status) => {
        throw new UsageError(`the reference receiver exited (code ${status.code}): ${server.stderr().trim().split('\n').pop() ?? ''}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new UsageError(`the reference receiver did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      }),
    ]);
    return {
      url: match[1]!,
      observeUrl: match[2]!,
      stop: async () => {
        await server.stop(3000);
      },
    };
  } catch (error) {
    await server.stop(3000);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
