/** `conformance generate`: deliveries for one event, as NDJSON on stdout. */
import { WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { DeliveryGenerator, type Delivery, type Mode } from '../generators/deliveries.js';
import { printable, printableJson } from '../reports/console.js';
import { UsageError, type Io } from './io.js';
import { findEvent, selectSpecs } from '../job/select-specs.js';

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
