/** `conformance generate`: deliveries for one event, as NDJSON on stdout. */
import { WEBHOOK_SYSTEMS, type Spec, type WebhookEvent } from '../specs/catalog.js';
import { DeliveryGenerator, type Delivery, type Mode } from '../generators/deliveries.js';
import { printable, printableJson } from '../reports/console.js';
import { UsageError, type Io } from './io.js';
import { selectSpecs } from '../job/select-specs.js';

export interface GenerateOptions {
  system?: string;
  spec?: string[];
  specStrict?: boolean;
  mode: Mode;
  count: number;
  seed: number;
}

export async function generateCommand(eventName: string, options: GenerateOptions, io: Io): Promise<number> {
  if (options.system !== undefined && options.spec !== undefined) throw new UsageError('give --system or --spec, not both');
  const specs = await selectSpecs(options, io, WEBHOOK_SYSTEMS);
  const event = findEvent(specs, eventName);
  const generator = new DeliveryGenerator(options.seed);
  io.stderr.write(`seed ${options.seed}: ${options.count} ${options.mode} ${options.count === 1 ? 'delivery' : 'deliveries'} of ${printable(event.system)} ${printable(event.name)}\n`);
  for (const delivery of generator.generate(event, options.mode, options.count)) io.stdout.write(`${ndjsonLine(delivery)}\n`);
  return 0;
}

export function findEvent(specs: Spec[], name: string): WebhookEvent {
  const matches = specs.flatMap((spec) => spec.events.filter((event) => event.name === name));
  if (matches.length === 1) return matches[0]!;
  const systems = specs.map((spec) => spec.system).join(', ');
  if (matches.length > 1) throw new UsageError(`event "${name}" is in several specs (${matches.map((event) => event.system).join(', ')}): choose one with --system`);
  const names = specs.flatMap((spec) => spec.events.map((event) => event.name));
  const suggestion = closest(name, names);
  throw new UsageError(`unknown event "${name}" in ${systems}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; see: conformance list`);
}

/** One NDJSON line: the body as a JSON string when it is UTF-8 (always, but for deliberately broken encodings). */
export function ndjsonLine(delivery: Delivery): string {
  const text = delivery.body.toString('utf8');
  const exact = Buffer.from(text, 'utf8').equals(delivery.body);
  // Edge cases carry control and bidirectional characters on purpose: escaped in the JSON (the same value).
  return printableJson({
    event: delivery.event,
    system: delivery.system,
    mode: delivery.mode,
    ...(exact ? { body: text } : { body: null, bodyBase64: delivery.body.toString('base64') }),
    edges: delivery.edges,
  });
}

/** The candidate with the smallest edit distance, if it is close enough to be a likely typo. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
