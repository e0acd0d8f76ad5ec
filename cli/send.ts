/**
 * `conformance send <event> --target URL`: one signed delivery, like `stripe trigger` for Zoom: a generated valid
 * body of the event with any overrides (`--set payload.object.topic=Launch`), or the exact bytes of a file
 * (`--data FILE`). Prints the exchange; exit 0 when it was acknowledged (200 or 204 within the deadline).
 * `--challenge` sends an endpoint URL validation challenge instead and checks the answer.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { HttpEngine, unreachableReason } from '../engine/http.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { toJsonText, type JsonTree } from '../generators/json-text.js';
import { challengeBody, challengeToken, credentialHeaderNames, deliveryHeaders, isAcknowledged, judgeChallengeAnswer, ZOOM } from '../profiles/zoom.js';
import { colorsFor, printable } from '../reports/console.js';
import { WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { printExchange } from './exchange-print.js';
import { UsageError, type Io } from './io.js';
import { freshSeed, positiveInteger, seedValue } from './options.js';
import { findEvent, selectSpecs } from '../job/select-specs.js';
import { specOption, specStrictOption } from './spec-options.js';
import { parseAuth, parseTarget, resolveSecret } from '../job/target-options.js';
import { addAuthOptions, type AuthOptions } from './target-options.js';

export interface SendOptions extends AuthOptions {
  target?: string;
  secret?: string;
  system?: string;
  spec?: string[];
  specStrict?: boolean;
  data?: string;
  set: string[];
  seed?: number;
  challenge?: boolean;
  deadline: number;
  insecure?: boolean;
}

export function registerSend(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('send')
    .description('Send one signed delivery of an event (a generated body with overrides, or a file), and show the answer')
    .argument('[event]', 'the event name, e.g. meeting.started (see: conformance list)')
    .addOption(new Option('--target <url>', 'the URL where your receiver takes Zoom webhooks'))
    .addOption(new Option('--secret <token>', "your app's Secret Token (better: ZOOM_WEBHOOK_SECRET_TOKEN; never printed)"))
    .addOption(new Option('--system <name>', `the bundled spec to look in: ${WEBHOOK_SYSTEMS.join(', ')} (default: all four)`))
    .addOption(specOption('look in your own OpenAPI file instead'))
    .addOption(specStrictOption())
    .addOption(new Option('--data <file>', 'send the exact bytes of this file as the body (signed as they are)'))
    .addOption(
      new Option('--set <path=value>', 'override a field of the generated body, e.g. payload.object.topic=Launch (value as JSON when it parses; repeatable)')
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .addOption(new Option('--seed <seed>', 'the seed of the generated body (default: random, printed)').argParser(seedValue))
    .addOption(new Option('--challenge', 'send an endpoint URL validation challenge and check the answer'))
    .addOption(new Option('--deadline <ms>', "the deadline (Zoom's is 3000)").argParser(positiveInteger('--deadline', 600_000)).default(ZOOM.deadlineMs))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  npx conformance send meeting.started --target http://localhost:3000/zoom/webhook\n' +
        '  npx conformance send meeting.started --target URL --set payload.object.topic="Launch 🚀" --set payload.object.duration=0\n' +
        '  npx conformance send recording.completed --target URL --data recording.json\n' +
        '  npx conformance send --challenge --target URL',
    );
  addAuthOptions(command)
    .action(async (event: string | undefined, options: SendOptions) => setExit(await sendCommand(event, options, io)));
}

export async function sendCommand(eventName: string | undefined, options: SendOptions, io: Io): Promise<number> {
  const target = parseTarget(options.target);
  const secret = resolveSecret(options, io);
  if (!options.challenge && eventName === undefined) throw new UsageError('name the event to send (e.g. conformance send meeting.started), or use --challenge');
  if (options.challenge && (eventName !== undefined || options.data !== undefined || options.set.length > 0)) {
    throw new UsageError('--challenge sends a URL validation challenge: no event, --data or --set with it');
  }
  if (options.data !== undefined && options.set.length > 0) throw new UsageError('--set changes a generated body: not with --data');
  if (options.system !== undefined && options.spec !== undefined) throw new UsageError('give --system or --spec, not both');
  const auth = parseAuth(options);
  const redaction = { secret, credentialHeaders: credentialHeaderNames(auth) };
  const c = colorsFor(io);

  let body: Buffer;
  let plainToken: string | undefined;
  if (options.challenge) {
    plainToken = randomBytes(16).toString('base64url');
    body = challengeBody(plainToken, Date.now());
  } else if (options.data !== undefined) {
    try {
      body = await readFile(path.resolve(io.cwd, options.data));
    } catch (error) {
      throw new UsageError(`--data ${options.data}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  } else {
    const specs = await selectSpecs(options, io, WEBHOOK_SYSTEMS);
    const event = findEvent(specs, eventName!);
    const seed = options.seed ?? freshSeed();
    const [delivery] = new DeliveryGenerator(seed).generate(event, 'valid', 1);
    const value = structuredClone(delivery!.value) as JsonTree;
    for (const assignment of options.set) applyAssignment(value, assignment);
    body = Buffer.from(toJsonText(value), 'utf8');
    io.stderr.write(`seed ${seed}: a generated ${printable(event.system)} ${printable(event.name)}${options.set.length > 0 ? ` with ${options.set.length} override${options.set.length === 1 ? '' : 's'}` : ''}\n`);
  }

  const problem = await unreachableReason(target, options.deadline, options.insecure);
  if (problem) throw new UsageError(`cannot reach ${target.origin}: ${problem}`);
  const engine = new HttpEngine({ deadlineMs: options.deadline, concurrency: 1, ...(options.insecure ? { insecure: true } : {}) });
  let exchange;
  try {
    exchange = await engine.send({ method: 'POST', url: target.href, headers: deliveryHeaders({ secret, body, ...(auth ? { auth } : {}) }), body });
  } finally {
    await engine.close();
  }
  printExchange(io, exchange, redaction);
  if (plainToken !== undefined) {
    const answer = judgeChallengeAnswer(exchange.response?.status, exchange.response?.body, plainToken, challengeToken(secret, plainToken));
    io.stdout.write(answer.ok ? `${c.green(c.bold('OK'))} the challenge was answered correctly\n` : `${c.red(c.bold('FAIL'))} ${printable(answer.problem)}\n`);
    return answer.ok ? 0 : 1;
  }
  const acknowledged = isAcknowledged(exchange.response?.status);
  io.stdout.write(acknowledged ? `${c.green(c.bold('OK'))} acknowledged\n` : `${c.red(c.bold('FAIL'))} not acknowledged: Zoom needs 200 or 204 within ${options.deadline} ms\n`);
  return acknowledged ? 0 : 1;
}

/** `a.b.0.c=value`: sets the value at the dotted path, creating objects on the way; the value is JSON when it parses. */
export function applyAssignment(root: JsonTree, assignment: string): void {
  const equals = assignment.indexOf('=');
  if (equals <= 0) throw new UsageError(`--set takes path=value, got "${assignment}"`);
  const keys = assignment.slice(0, equals).split('.');
  if (keys.some((key) => key === '')) throw new UsageError(`--set: "${assignment.slice(0, equals)}" is not a dotted path`);
  const text = assignment.slice(equals + 1);
  let value: JsonTree;
  try {
    value = JSON.parse(text) as JsonTree;
  } catch {
    value = text;
  }
  let node = root as Record<string, JsonTree> | JsonTree[];
  keys.forEach((key, index) => {
    const last = index === keys.length - 1;
    const container = node as Record<string, JsonTree>;
    if (last) {
      container[key] = value;
      return;
    }
    const next = container[key];
    if (next === null || typeof next !== 'object') container[key] = {};
    node = container[key] as Record<string, JsonTree>;
  });
}
