/**
 * `conformance replay FILE`: sends a failure saved by `fuzz` again, byte for byte: the same bodies, signed the same
 * way (valid, or forged the same way) with a fresh timestamp, or with the recorded headers (`--keep-timestamp`).
 * Shows every exchange; exit 0 when it now passes, 1 when it still fails, 2 for a bad file or an unreachable target.
 */
import { observerTiming } from '../job/plan.js';
import { Option, type Command } from 'commander';
import { HttpEngine, unreachableReason, type Exchange } from '../engine/http.js';
import { credentialHeaderNames, nowSeconds, ZOOM } from '../profiles/zoom.js';
import { colorsFor, printable } from '../reports/console.js';
import { HttpObserver, ObserverError } from '../suites/observer.js';
import { judgeReplayed, readReplayFile, ReplayFileError, replayGroups } from '../suites/replay-file.js';
import { printExchange } from './exchange-print.js';
import { UsageError, type Io } from './io.js';
import { positiveInteger } from './options.js';
import { parseAuth, parseUrl, resolveSecret } from '../job/target-options.js';
import { addAuthOptions, type AuthOptions } from './target-options.js';

export interface ReplayOptions extends AuthOptions {
  target?: string;
  secret?: string;
  keepTimestamp?: boolean;
  observe?: string;
  deadline?: number;
  insecure?: boolean;
}

export function registerReplay(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('replay')
    .description('Send a failure saved by `conformance fuzz` again, byte for byte, and show whether it still fails')
    .argument('<file>', 'a replay file (.conformance/failures/*.json)')
    .addOption(new Option('--target <url>', 'send to this URL instead of the one recorded in the file'))
    .addOption(new Option('--secret <token>', "your app's Secret Token (better: ZOOM_WEBHOOK_SECRET_TOKEN; never printed)"))
    .addOption(new Option('--keep-timestamp', 'send the recorded headers (timestamp and signature) as they were, instead of re-signing now'))
    .addOption(new Option('--observe <url>', 'check the observer count the failure was about (lifecycle failures)'))
    .addOption(new Option('--deadline <ms>', 'per-delivery deadline (default: the one of the recorded run)').argParser(positiveInteger('--deadline', 600_000)));
  addAuthOptions(command)
    .action(async (file: string, options: ReplayOptions) => setExit(await replayCommand(file, options, io)));
}

export async function replayCommand(path: string, options: ReplayOptions, io: Io): Promise<number> {
  let file;
  try {
    file = await readReplayFile(path);
  } catch (error) {
    if (error instanceof ReplayFileError) throw new UsageError(error.message);
    throw error;
  }
  const target = parseUrl(options.target ?? file.target, options.target ? '--target' : 'the target recorded in the file');
  // Re-signing needs the secret; recorded headers do not (a recorded credential is redacted, so auth is given again).
  const secret = options.keepTimestamp ? (options.secret ?? io.env.ZOOM_WEBHOOK_SECRET_TOKEN ?? '') : resolveSecret(options, io);
  const auth = parseAuth(options);
  const redaction = { secret, credentialHeaders: credentialHeaderNames(auth) };
  const deadlineMs = options.deadline ?? file.deadlineMs ?? ZOOM.deadlineMs;
  const problem = await unreachableReason(target, deadlineMs, options.insecure);
  if (problem) throw new UsageError(`cannot reach ${target.origin}: ${problem}`);
  const c = colorsFor(io);
  io.stdout.write(`${c.bold('replay')} ${printable(file.check.id)} (${file.check.level}) on ${printable(file.event)}: ${printable(file.reason)}\n`);
  io.stdout.write(`recorded ${printable(file.createdAt)} against ${printable(file.target)}; ${file.requests.length} request${file.requests.length === 1 ? '' : 's'}${options.keepTimestamp ? ', recorded headers' : ', re-signed now'}\n\n`);
  const groups = replayGroups(file, {
    target: target.href,
    secret,
    ...(auth ? { auth } : {}),
    keepTimestamp: options.keepTimestamp === true,
    timestamp: nowSeconds(),
  });
  const engine = new HttpEngine({ deadlineMs, concurrency: Math.max(2, ...groups.map((group) => group.length)), ...(options.insecure ? { insecure: true } : {}) });
  const failures: string[] = [];
  try {
    for (const group of groups) {
      const exchanges: Exchange[] = group.length === 1 ? [await engine.send(group[0]!.request)] : await engine.together(group.map((entry) => entry.request));
      exchanges.forEach((exchange, index) => {
        const stored = group[index]!.stored;
        printExchange(io, exchange, redaction);
        const verdict = judgeReplayed(stored.expect, exchange);
        io.stdout.write(`${verdict.status === 'pass' ? c.green('ok') : c.red('still fails')}: expected ${describeExpectation(stored.expect)}${verdict.reason ? ` (${printable(verdict.reason)})` : ''}\n\n`);
        if (verdict.status === 'fail') failures.push(`${stored.label}: ${verdict.reason}`);
      });
    }
  } finally {
    await engine.close();
  }
  if (file.observe) {
    if (!options.observe) io.stdout.write(`${c.dim('observer: not checked (pass --observe URL to check that the delivery was applied exactly once)')}\n`);
    else {
      try {
        const observer = new HttpObserver(parseUrl(options.observe, '--observe'), observerTiming(deadlineMs));
        const { count } = await observer.settledCount(file.observe.event, file.observe.eventTs, file.observe.expected);
        const ok = count === file.observe.expected;
        io.stdout.write(`observer: ${printable(file.observe.event)} @ ${file.observe.eventTs} applied ${count} times, expected ${file.observe.expected}${ok ? '' : ' (counts every time the receiver ever applied it: replay against a fresh receiver)'}\n`);
        if (!ok) failures.push(`applied ${count} times`);
      } catch (error) {
        if (error instanceof ObserverError) throw new UsageError(`--observe: ${error.message}`);
        throw error;
      }
    }
  }
  io.stdout.write(failures.length === 0 ? `${c.green(c.bold('PASS'))} the saved failure no longer fails\n` : `${c.red(c.bold('FAIL'))} still fails: ${printable(failures[0]!)}\n`);
  return failures.length === 0 ? 0 : 1;
}

function describeExpectation(expect: string): string {
  return expect === 'acknowledged' ? '200 or 204 within the deadline' : expect === 'rejected' ? 'not 2xx (a forgery)' : 'no 5xx, reset or timeout';
}
