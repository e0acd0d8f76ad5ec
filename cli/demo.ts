/**
 * `conformance demo`: starts the bundled reference receiver (compliant, or one with a planted defect) on a free
 * loopback port as a child process, runs the suites against it with its observer, and stops it. A newcomer sees a
 * full run (green, or with exactly the failures the defect causes) in one command.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, type Io } from './io.js';
import { runCommand, type RunOptions } from './run.js';

/** The compiled reference receivers: beside this file in dist/, or in dist/ when this file runs from source (tsx). */
const RECEIVERS = [new URL('../examples/receivers/', import.meta.url), new URL('../dist/examples/receivers/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(`${dir}compliant.js`)) ?? fileURLToPath(new URL('../examples/receivers/', import.meta.url));
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+\/\S+) \(observer: (http:\/\/127\.0\.0\.1:\d+\/\S+)\)/;
const START_TIMEOUT_MS = 10_000;

export interface DemoOptions extends Omit<RunOptions, 'target' | 'secret' | 'observe'> {
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
  io.stdout.write(`demo: reference receiver${options.defect ? ` with the planted defect "${options.defect}"` : ''} at ${receiver.url}\n`);
  try {
    const { defect: _defect, ...run } = options;
    const reproduceAs = `npx conformance demo${options.defect ? ` --defect ${options.defect}` : ''}`;
    return await runCommand({ ...run, target: receiver.url, secret, observe: receiver.observeUrl, reproduceAs }, io);
  } finally {
    await receiver.stop();
  }
}

/** Starts a compiled reference receiver (compliant, or with a planted defect) on a free loopback port. */
export function startReferenceReceiver(secret: string, defect?: string): Promise<StartedReceiver> {
  const script = `${RECEIVERS}${defect ? 'faulty.js' : 'compliant.js'}`;
  if (!existsSync(script)) return Promise.reject(new UsageError(`the reference receiver is missing (${script}); run \`npm run build\``));
  const args = [script, '--port', '0', '--host', '127.0.0.1', ...(defect ? ['--defect', defect] : [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Whatever ends this process, the receiver goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new UsageError(`the reference receiver did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors = (errors + chunk).slice(-2000)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        output = '';
        resolve({ url: match[1]!, observeUrl: match[2]!, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new UsageError(`the reference receiver exited (code ${code}): ${errors.trim().split('\n').pop() ?? ''}`));
    });
  });
}
