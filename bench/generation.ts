/**
 * Section `generation`: how many deliveries per second our generators produce, per webhook system and mode, side
 * by side in the same process with json-schema-faker (jsf) generating from the same event schemas.
 *
 * Fairness, as chosen here (also printed in the section's notes):
 * - same schemas: every event of each bundled system (`event.body.schema`, the very objects the generators use);
 * - same count: the same number of bodies of every event on each side, per timed repeat (about
 *   FULL_DELIVERIES_PER_SYSTEM x BENCH_SCALE per system);
 * - same output: serialized JSON bytes (our `Delivery.body` Buffer; `Buffer.from(JSON.stringify(jsf.generate(schema)))`);
 * - same shape, as near as jsf allows (the measured shape of both sides is reported, untimed): jsf puts in a fixed
 *   share of each object's optional properties (`fixedProbabilities` + `optionalsProbability` 0.8, which comes closest to the
 *   share our valid mode produces), one item per array (`maxItems` 1; ours averages 1.0 to 1.3, so jsf does no
 *   more array work than ours), no invented properties on open objects (`fillProperties` false, as our valid mode), and
 *   ignores formats it does not know (`failOnInvalidFormat` false: Zoom's `int`, `email or name`...). jsf's
 *   `optionalsProbability` without `fixedProbabilities` is not used: in jsf 0.5.x it makes an array without
 *   `minItems` up to 50 items long (`abs(random(-100, maxItems) * p)`), which would slow jsf down unfairly;
 * - same seeding: jsf's `random` is a seeded PRNG (mulberry32), reset before every timed repeat, as our generator
 *   is seeded; both sides do the same work on every repeat;
 * - our side includes its set-up: a fresh DeliveryGenerator (world, arbitraries) per timed repeat;
 * - both sides are warmed up (one untimed pass) and alternate in each repeat; the report gives the median.
 * Edge mode has no jsf counterpart: its rows compare our edge rate with the same jsf measurement, for scale only;
 * the goal applies to valid mode.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { JSONSchemaFaker, type JSONSchemaFakerOptions, type Schema } from 'json-schema-faker';
import { loadBundledSpec, WEBHOOK_SYSTEMS, type WebhookEvent } from '../specs/catalog.js';
import type { JsonSchema } from '../specs/json-schema.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { walkWithSchema } from '../generators/schema-walk.js';
import type { JsonTree } from '../generators/json-text.js';
import { median, num, percent, spread, table } from './report.js';
import type { Goal, SectionOptions, SectionResult } from './section.js';

export const name = 'generation';
export const title = 'Generation: deliveries per second, ours vs json-schema-faker';

/**
 * Bodies per system and side in one timed repeat, at BENCH_SCALE=1, spread evenly over the system's events (so a
 * system with few events gets more bodies of each, and every timed sample is long enough to measure).
 */
export const FULL_DELIVERIES_PER_SYSTEM = 3000;
/** The goal: at least this many times json-schema-faker's rate, in valid mode. */
export const GOAL_RATIO = 2;
const SEED = 20261122;
/** Bodies per event in the untimed shape sample. */
const SHAPE_PER_EVENT = 3;

/** The jsf configuration (see the header for why each option). `random` is set per repeat. */
export const JSF_OPTIONS: JSONSchemaFakerOptions = {
  alwaysFakeOptionals: false,
  fixedProbabilities: true,
  optionalsProbability: 0.8,
  minItems: 0,
  maxItems: 1,
  fillProperties: false,
  failOnInvalidFormat: false,
  failOnInvalidTypes: false,
  useDefaultValue: false,
  useExamplesValue: false,
};

export type TimedMode = 'valid' | 'edge';
const MODES: readonly TimedMode[] = ['valid', 'edge'];

export interface Measurement {
  /** Bodies produced in one repeat. */
  deliveries: number;
  /** Bytes produced in one repeat. */
  bytes: number;
  timingsMs: number[];
  medianMs: number;
  /** Deliveries per second, from the median time. */
  perSecond: number;
  /** Bytes per second, from the median time. */
  bytesPerSecond: number;
  /** (max - min) / median of the timings. */
  spread: number;
}

export interface Row {
  system: string;
  mode: TimedMode;
  events: number;
  /** Bodies of each event per repeat, on each side. */
  perEvent: number;
  ours: Measurement;
  /** The jsf measurement of the system (one per system, shared by its valid and edge rows). */
  jsf: Measurement;
  /** ours.perSecond / jsf.perSecond */
  ratio: number;
  /** Valid mode only: whether the ratio reaches GOAL_RATIO. */
  goalMet?: boolean;
}

export interface Shape {
  /** Share of declared optional properties present, over all objects outside anyOf/oneOf/allOf. */
  optionalShare: number;
  /** Mean number of items per array. */
  meanArrayItems: number;
  meanBytes: number;
  /** Share of bodies our validator (ajv 2020 + formats) accepts. */
  schemaValidShare: number;
  bodies: number;
}

export interface GenerationData {
  scale: number;
  repeats: number;
  deliveriesPerSystem: number;
  seed: number;
  goalRatio: number;
  jsfVersion: string;
  jsfOptions: JSONSchemaFakerOptions;
  rows: Row[];
  shapes: { system: string; ours: Shape; jsf: Shape }[];
}

/** A small seeded PRNG in [0, 1), for jsf's `random` option. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function configureJsf(seed: number): void {
  JSONSchemaFaker.option({ ...JSF_OPTIONS, random: mulberry32(seed) });
}

function jsfBody(schema: JsonSchema): Buffer {
  return Buffer.from(JSON.stringify(JSONSchemaFaker.generate(schema as Schema)), 'utf8');
}

interface Sample {
  ms: number;
  deliveries: number;
  bytes: number;
}

function timeOurs(events: readonly WebhookEvent[], mode: TimedMode, perEvent: number): Sample {
  const start = performance.now();
  const generator = new DeliveryGenerator(SEED);
  let deliveries = 0;
  let bytes = 0;
  for (const event of events) {
    for (const delivery of generator.generate(event, mode, perEvent)) {
      deliveries++;
      bytes += delivery.body.length;
    }
  }
  return { ms: performance.now() - start, deliveries, bytes };
}

function timeJsf(events: readonly WebhookEvent[], perEvent: number): Sample {
  configureJsf(SEED);
  const start = performance.now();
  let deliveries = 0;
  let bytes = 0;
  for (const event of events) {
    for (let index = 0; index < perEvent; index++) {
      bytes += jsfBody(event.body.schema).length;
      deliveries++;
    }
  }
  return { ms: performance.now() - start, deliveries, bytes };
}

function measurement(samples: readonly Sample[]): Measurement {
  const timingsMs = samples.map((sample) => sample.ms);
  const medianMs = median(timingsMs);
  const { deliveries, bytes } = samples[0]!;
  const seconds = Math.max(medianMs, 1e-6) / 1000;
  return { deliveries, bytes, timingsMs, medianMs, perSecond: deliveries / seconds, bytesPerSecond: bytes / seconds, spread: spread(timingsMs) };
}

function shapeOf(bodies: readonly { schema: JsonSchema; bytes: number; value: unknown }[], validator: SchemaValidator): Shape {
  let optional = 0;
  let present = 0;
  let arrays = 0;
  let items = 0;
  let bytes = 0;
  let valid = 0;
  for (const body of bodies) {
    bytes += body.bytes;
    if (validator.isValid(body.schema, body.value)) valid++;
    walkWithSchema(body.schema, body.value as JsonTree, ({ value, schema, alternative }) => {
      if (alternative) return;
      if (Array.isArray(value)) {
        arrays++;
        items += value.length;
      } else if (value !== null && typeof value === 'object' && schema.properties) {
        const required = new Set(schema.required ?? []);
        for (const key of Object.keys(schema.properties)) {
          if (required.has(key)) continue;
          optional++;
          if (key in value) present++;
        }
      }
    });
  }
  return {
    optionalShare: optional === 0 ? Number.NaN : present / optional,
    meanArrayItems: arrays === 0 ? Number.NaN : items / arrays,
    meanBytes: bodies.length === 0 ? 0 : bytes / bodies.length,
    schemaValidShare: bodies.length === 0 ? 0 : valid / bodies.length,
    bodies: bodies.length,
  };
}

function measureShapes(system: string, events: readonly WebhookEvent[], validator: SchemaValidator): { system: string; ours: Shape; jsf: Shape } {
  const generator = new DeliveryGenerator(SEED + 1);
  const ours = events.flatMap((event) =>
    generator.generate(event, 'valid', SHAPE_PER_EVENT).map((delivery) => ({ schema: event.body.schema, bytes: delivery.body.length, value: JSON.parse(delivery.body.toString('utf8')) as unknown })),
  );
  configureJsf(SEED + 1);
  const jsf = events.flatMap((event) =>
    Array.from({ length: SHAPE_PER_EVENT }, () => {
      const body = jsfBody(event.body.schema);
      return { schema: event.body.schema, bytes: body.length, value: JSON.parse(body.toString('utf8')) as unknown };
    }),
  );
  return { system, ours: shapeOf(ours, validator), jsf: shapeOf(jsf, validator) };
}

/** The installed version (jsf 0.5.9 still reports VERSION 0.5.8, and does not export its package.json). */
function jsfVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('json-schema-faker');
    const file = path.join(path.dirname(entry), '..', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return JSONSchemaFaker.VERSION;
  }
}

const share = (value: number) => (Number.isNaN(value) ? '-' : percent(value));
const items = (value: number) => (Number.isNaN(value) ? '-' : num(value, 2));

export async function run(options: SectionOptions): Promise<SectionResult<GenerationData>> {
  const { scale, repeats, log } = options;
  if (!(scale > 0) || !Number.isInteger(repeats) || repeats < 1) throw new Error(`generation: bad options (scale ${scale}, repeats ${repeats})`);
  const deliveriesPerSystem = Math.max(1, Math.round(FULL_DELIVERIES_PER_SYSTEM * scale));
  const validator = new SchemaValidator();
  const rows: Row[] = [];
  const shapes: GenerationData['shapes'] = [];

  for (const system of WEBHOOK_SYSTEMS) {
    const events = loadBundledSpec(system).events;
    const perEvent = Math.max(1, Math.ceil(deliveriesPerSystem / events.length));
    const warmUpPerEvent = Math.max(1, Math.ceil(perEvent / 4));
    log?.(`generation: ${system}: ${events.length} events x ${perEvent} bodies, warming up`);
    timeOurs(events, 'valid', warmUpPerEvent);
    timeOurs(events, 'edge', warmUpPerEvent);
    timeJsf(events, warmUpPerEvent);
    const samples: Record<TimedMode | 'jsf', Sample[]> = { valid: [], edge: [], jsf: [] };
    for (let repeat = 0; repeat < repeats; repeat++) {
      // Alternate the order, so that neither side always runs right after the other's garbage.
      const order: (TimedMode | 'jsf')[] = repeat % 2 === 0 ? ['valid', 'jsf', 'edge'] : ['jsf', 'edge', 'valid'];
      for (const what of order) samples[what].push(what === 'jsf' ? timeJsf(events, perEvent) : timeOurs(events, what, perEvent));
      log?.(`generation: ${system}: repeat ${repeat + 1}/${repeats} done`);
    }
    const jsf = measurement(samples.jsf);
    for (const mode of MODES) {
      const ours = measurement(samples[mode]);
      const ratio = ours.perSecond / jsf.perSecond;
      rows.push({ system, mode, events: events.length, perEvent, ours, jsf, ratio, ...(mode === 'valid' ? { goalMet: ratio >= GOAL_RATIO } : {}) });
    }
    shapes.push(measureShapes(system, events, validator));
  }

  const goals: Goal[] = rows
    .filter((row) => row.mode === 'valid')
    .map((row) => ({
      description: `${row.system}: valid-mode deliveries/s at least ${GOAL_RATIO}x json-schema-faker's (measured ${num(row.ratio, 2)}x)`,
      met: row.goalMet === true,
    }));

  const version = jsfVersion();
  const lines = [
    `Deliveries per second, median of ${repeats} repeat${repeats === 1 ? '' : 's'} (scale ${scale}); each repeat generates about ${num(deliveriesPerSystem)} bodies per system on each side,`,
    'the same number of every event of the system (bodies/event column).',
    '',
    ...table(
      ['system', 'mode', 'events', 'bodies/event', 'ours/s', `jsf ${version}/s`, 'ours/jsf', 'ours MB/s', 'jsf MB/s', 'ours spread', 'jsf spread', `goal >= ${GOAL_RATIO}x`],
      rows.map((row) => [
        row.system,
        row.mode,
        num(row.events),
        num(row.perEvent),
        num(row.ours.perSecond),
        num(row.jsf.perSecond),
        `${num(row.ratio, 2)}x`,
        num(row.ours.bytesPerSecond / 1e6, 1),
        num(row.jsf.bytesPerSecond / 1e6, 1),
        percent(row.ours.spread),
        percent(row.jsf.spread),
        row.goalMet === undefined ? '(no goal)' : row.goalMet ? 'met' : 'NOT met',
      ]),
      [0, 1],
    ),
    '',
    `What each side generates (untimed sample, ${SHAPE_PER_EVENT} valid-mode bodies per event; jsf as configured):`,
    '',
    ...table(
      ['system', 'optional present ours', 'jsf', 'items/array ours', 'jsf', 'bytes/body ours', 'jsf', 'schema-valid ours', 'jsf'],
      shapes.map(({ system, ours, jsf }) => [
        system,
        share(ours.optionalShare),
        share(jsf.optionalShare),
        items(ours.meanArrayItems),
        items(jsf.meanArrayItems),
        num(ours.meanBytes),
        num(jsf.meanBytes),
        percent(ours.schemaValidShare),
        percent(jsf.schemaValidShare),
      ]),
    ),
    '',
    'Notes:',
    '- Same schemas (every event of each bundled system), same count per event, both sides produce serialized JSON bytes.',
    '- Ours: DeliveryGenerator.generate(event, mode, n), a fresh generator (world, arbitraries) per repeat, so set-up is included.',
    `- jsf: Buffer.from(JSON.stringify(JSONSchemaFaker.generate(schema))), options ${JSON.stringify(JSF_OPTIONS)}, random = seeded mulberry32.`,
    '  fixedProbabilities + optionalsProbability 0.8 puts in a fixed share of optional properties, calibrated to ours (shape table); maxItems 1',
    '  gives one item per array (ours averages a little more, so jsf does no more array work than ours); fillProperties false adds no',
    "  invented properties to open objects, as our valid mode. jsf's optionalsProbability without fixedProbabilities is avoided: in",
    '  jsf 0.5.x it makes arrays without minItems up to 50 items long, which would slow jsf down unfairly.',
    "- jsf's values are lorem-ipsum words and random numbers; ours are realistic Zoom values with correlated ids. The schema-valid",
    '  column is our validator (ajv 2020 + formats) on each side\'s sample.',
    '- Edge mode has no jsf counterpart: its rows divide our edge rate by the same jsf measurement, for scale; no goal applies.',
    '  Edge bodies include large ones (up to about 1 MB), hence the MB/s.',
  ];

  return {
    name,
    title,
    lines,
    goals,
    data: { scale, repeats, deliveriesPerSystem, seed: SEED, goalRatio: GOAL_RATIO, jsfVersion: version, jsfOptions: JSF_OPTIONS, rows, shapes },
  };
}
