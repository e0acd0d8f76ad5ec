/**
 * An independent cross-check of the generators: Prism (`prism mock`, its own OpenAPI reader and its own ajv
 * draft-07 + ajv-formats stack, nothing shared with generators/ or specs/schema-validator.ts) is started on the
 * four bundled webhook specs and judges raw generated bodies, byte for byte as the generator wrote them.
 *
 * - valid deliveries: Prism answers 200 to every one;
 * - edge deliveries: 200, except where a body carries an int64 beyond 2^53-1 (edge kinds `int64.above-safe`,
 *   `int64.max`): Prism's OpenAPI reader turns `format: int64` into `maximum: 2^53-1`, so those bodies, legal in
 *   Zoom's data, get a 422 `maximum` exactly at those values. The test asserts that, instead of avoiding them;
 * - invalid deliveries: rejected, for the reason the delivery states (422 with the matching ajv keyword at the
 *   broken place for schema breakage, 400 `invalid_json` or 422 "body required" for broken JSON), for every
 *   breakage kind Prism can see. The one kind it cannot see is listed in EXCLUDED with the reason, and the test
 *   asserts what Prism does instead.
 *
 * Several events per system (evenly spaced through each spec), several deliveries per event and mode, fixed seed.
 * Prism is required when CI=true; elsewhere the file skips only when the Prism binary is not installed.
 * Prism servers are started once (beforeAll) and stopped by PID (afterAll); the spec files live in a temp folder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_SPECS, loadBundledSpec, WEBHOOK_SYSTEMS, type WebhookEvent } from '../specs/catalog.js';
import type { JsonSchema } from '../specs/json-schema.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { DeliveryGenerator, type Delivery, type Mode } from '../generators/deliveries.js';
import { INVALID_KINDS, type InvalidKindId } from '../generators/edge-kinds.js';
import { JSON_BREAKS } from '../generators/invalid.js';
import { containsBigInt, type JsonTree } from '../generators/json-text.js';
import { SPEC_DIR } from './support/paths.js';
import { closeConnections, isRunning, postRaw, PRISM_BIN, startPrism, webhooksAsPaths, type PrismServer, type RawResponse } from './support/prism.js';

const SEED = Number(process.env.CONFORMANCE_TEST_SEED ?? 20261122);
const EVENTS_PER_SYSTEM = 10;
const PER_EVENT: Record<Mode, number> = { valid: 6, edge: 6, invalid: 20 };
const CONCURRENCY = 8;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether Prism can run here. Under CI=true it must: its absence fails the file instead of skipping it. */
function prismAvailable(): boolean {
  const present = existsSync(PRISM_BIN);
  if (!present && process.env.CI === 'true') throw new Error(`CI=true but Prism is not installed at ${PRISM_BIN} (run npm ci)`);
  return present;
}

/**
 * Formats Prism checks: every ajv-formats format (prism-http validator/validators/utils.js calls addFormats on its
 * ajv instances) plus its own `date-time`. Other formats (`int`, `string`, `email or name` in Zoom's documents)
 * are silently ignored by Prism. Only the formats the generator breaks matter here.
 */
const PRISM_CHECKED_FORMATS = new Set(['date-time', 'date', 'time', 'email', 'uri', 'url', 'uuid', 'ipv4', 'ipv6', 'hostname']);

/** How Prism must answer each breakage kind it can see: status, and the ajv keyword (422) or error code (400). */
const PRISM_VERDICT: Record<Exclude<InvalidKindId, keyof typeof EXCLUDED>, { status: number; code: string }> = {
  'schema.missing-required': { status: 422, code: 'required' },
  'schema.wrong-type': { status: 422, code: 'type' },
  'schema.out-of-enum': { status: 422, code: 'enum' },
  // Only where the broken format is one Prism checks; the test fails loudly on any other format (see below).
  'schema.bad-format': { status: 422, code: 'format' },
  'json.truncated': { status: 400, code: 'invalid_json' },
  'json.trailing-garbage': { status: 400, code: 'invalid_json' },
  'json.form-encoded': { status: 400, code: 'invalid_json' },
  // FF FE + UTF-16LE, read by Prism as UTF-8: not JSON.
  'json.wrong-encoding': { status: 400, code: 'invalid_json' },
  // Content-Length 0 is "no body" to Prism; the request body is required, so 422 "required" on `body`.
  'json.empty': { status: 422, code: 'required' },
};

/** Breakage kinds Prism cannot see, and why. What Prism does with them instead is asserted, not skipped. */
const EXCLUDED = {
  'json.invalid-utf8':
    'Prism decodes the body leniently (Buffer#toString): the invalid bytes become U+FFFD inside a string, so the text parses as JSON ' +
    'and Prism judges that repaired value. Asserted instead: the bytes are not UTF-8 (a strict decoder fails), the lenient text ' +
    'parses, and Prism answers 200 or 422 exactly as our own validator judges the repaired value.',
} as const;

interface Exchange {
  event: WebhookEvent;
  delivery: Delivery;
  response: RawResponse;
}

interface Validation {
  /** Absent for a missing body. */
  location?: string[];
  code: string;
  message: string;
}

/** Evenly spaced through the spec, so the sample spans its tags (meeting.*, webinar.*, recording.*...). */
function sampleEvents(events: WebhookEvent[], count: number): WebhookEvent[] {
  if (events.length <= count) return events;
  return Array.from({ length: count }, (_, index) => events[Math.floor((index * events.length) / count)]!);
}

function validations(response: RawResponse): Validation[] {
  try {
    const parsed = JSON.parse(response.body) as { validation?: Validation[] };
    return parsed.validation ?? [];
  } catch {
    return [];
  }
}

function errorCode(response: RawResponse): string | undefined {
  try {
    return (JSON.parse(response.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** `/payload/object/0/id` -> `['body', 'payload', 'object', '0', 'id']`, as Prism writes a validation location. */
function locationOf(pointer: string): string[] {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return ['body', ...parts];
}

/** The schema of the value at a JSON pointer (breakage is never placed inside anyOf/oneOf/allOf). */
function schemaAt(schema: JsonSchema, pointer: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const part of locationOf(pointer).slice(1)) {
    if (!node) return undefined;
    node = /^\d+$/.test(part) && node.items ? node.items : node.properties?.[part];
  }
  return node;
}

function valueAtLocation(value: JsonTree | undefined, location: string[] | undefined): JsonTree | undefined {
  let node: JsonTree | undefined = value;
  for (const part of (location ?? []).slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, JsonTree>)[part];
  }
  return node;
}

async function postAll(url: string, work: { event: WebhookEvent; delivery: Delivery }[]): Promise<Exchange[]> {
  const out: Exchange[] = new Array(work.length);
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const index = next++;
      const { event, delivery } = work[index]!;
      out[index] = { event, delivery, response: await postRaw(`${url}/${event.name}`, delivery.body) };
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out;
}

function describeExchange({ event, delivery, response }: Exchange): string {
  const notes = delivery.edges.map((note) => `${note.kind}@${note.path || '/'}`).join(', ');
  return `${event.system} ${event.name} (${delivery.mode}${notes ? `: ${notes}` : ''}) -> ${response.status} ${response.body.slice(0, 600)}\nbody: ${delivery.body.toString('utf8').slice(0, 400)}`;
}

const validator = new SchemaValidator();
/** Every invalid breakage kind seen, per system (filled by the system blocks, read by the coverage test). */
const invalidKindsSeen = new Map<string, Set<string>>();

describe.skipIf(!prismAvailable())('generated deliveries against an independent validator (Prism mock on the bundled specs)', () => {
  const servers = new Map<string, PrismServer>();
  let tempDir = '';

  beforeAll(async () => {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'zoom-conformance-prism-'));
    const started = await Promise.allSettled(
      WEBHOOK_SYSTEMS.map(async (system) => {
        const document = JSON.parse(readFileSync(path.join(SPEC_DIR, BUNDLED_SPECS[system]), 'utf8')) as Record<string, unknown>;
        const file = path.join(tempDir, `${system}.prism.json`);
        writeFileSync(file, JSON.stringify(webhooksAsPaths(document)));
        servers.set(system, await startPrism(file, { startTimeoutMs: 45_000 }));
      }),
    );
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(async () => {
    const pids = [...servers.values()].map((server) => server.pid);
    await Promise.all([...servers.values()].map((server) => server.stop()));
    closeConnections();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    expect(pids.filter(isRunning)).toEqual([]);
  });

  for (const system of WEBHOOK_SYSTEMS) {
    describe(system, () => {
      const events = sampleEvents(loadBundledSpec(system).events, EVENTS_PER_SYSTEM);
      const generator = new DeliveryGenerator(SEED);
      const deliveries = (mode: Mode) => events.flatMap((event) => generator.generate(event, mode, PER_EVENT[mode]).map((delivery) => ({ event, delivery })));
      const post = (mode: Mode) => postAll(servers.get(system)!.url, deliveries(mode));

      it(`samples at least 8 events (${events.length})`, () => {
        expect(events.length).toBeGreaterThanOrEqual(8);
        expect(new Set(events.map((event) => event.name)).size).toBe(events.length);
      });

      it('accepts every valid delivery (200), none of which exceeds Prism’s int64 limit of 2^53-1', async () => {
        const exchanges = await post('valid');
        expect(exchanges).toHaveLength(events.length * PER_EVENT.valid);
        for (const exchange of exchanges) {
          // The gotcha made explicit: valid mode stays below 2^53, so Prism's int64 range never decides here.
          expect(containsBigInt(exchange.delivery.value!), describeExchange(exchange)).toBe(false);
          expect(exchange.response.status, describeExchange(exchange)).toBe(200);
        }
      });

      it('accepts every edge delivery (200), except int64 values beyond 2^53-1, which Prism rejects (422 maximum) exactly there', async () => {
        const exchanges = await post('edge');
        expect(exchanges).toHaveLength(events.length * PER_EVENT.edge);
        for (const exchange of exchanges) {
          const { delivery, response } = exchange;
          const beyondSafe = delivery.edges.filter((note) => note.kind === 'int64.above-safe' || note.kind === 'int64.max');
          if (beyondSafe.length === 0) {
            expect(response.status, describeExchange(exchange)).toBe(200);
            continue;
          }
          expect(response.status, describeExchange(exchange)).toBe(422);
          const found = validations(response);
          // Every complaint is the int64 limit, on a value that really is beyond 2^53-1...
          for (const validation of found) {
            expect(validation.code, describeExchange(exchange)).toBe('maximum');
            const value = valueAtLocation(delivery.value, validation.location);
            expect(typeof value === 'bigint' && value > MAX_SAFE, describeExchange(exchange)).toBe(true);
          }
          // ...and every such value the delivery names is complained about.
          const complained = new Set(found.map((validation) => validation.location?.join('/')));
          for (const note of beyondSafe) expect(complained.has(locationOf(note.path).join('/')), describeExchange(exchange)).toBe(true);
        }
      });

      it('rejects every invalid delivery whose breakage Prism can see, for the stated reason and at the stated place', async () => {
        const exchanges = await post('invalid');
        expect(exchanges).toHaveLength(events.length * PER_EVENT.invalid);
        const seen = new Set<string>();
        invalidKindsSeen.set(system, seen);
        for (const exchange of exchanges) {
          const { event, delivery, response } = exchange;
          expect(delivery.edges, describeExchange(exchange)).toHaveLength(1);
          const { kind, path: pointer } = delivery.edges[0]!;
          seen.add(kind);
          const context = describeExchange(exchange);
          if (kind in EXCLUDED) {
            // json.invalid-utf8: really not UTF-8, but Prism repairs it; its verdict must be ours on the repaired value.
            expect(() => new TextDecoder('utf-8', { fatal: true }).decode(delivery.body), context).toThrow();
            const repaired = JSON.parse(delivery.body.toString('utf8')) as unknown;
            expect(response.status, context).toBe(validator.isValid(event.body.schema, repaired) ? 200 : 422);
            continue;
          }
          const verdict = PRISM_VERDICT[kind as keyof typeof PRISM_VERDICT];
          expect(verdict, `unknown breakage kind ${kind}`).toBeDefined();
          expect(response.status, context).toBe(verdict.status);
          if (verdict.status === 400) {
            expect(errorCode(response), context).toBe(verdict.code);
            continue;
          }
          if (kind === 'schema.bad-format') {
            const format = schemaAt(event.body.schema, pointer)?.format;
            expect(PRISM_CHECKED_FORMATS.has(format ?? ''), `${context}\nformat ${format} is not checked by Prism: add it to EXCLUDED with the reason`).toBe(true);
          }
          const found = validations(response);
          if (kind === 'json.empty') {
            expect(found, context).toEqual([{ severity: 'Error', code: 'required', message: 'Body parameter is required' }]);
            continue;
          }
          // The complaint is the breakage: its keyword, at the broken value (a missing property: at its parent).
          const expected = (kind === 'schema.missing-required' ? locationOf(pointer).slice(0, -1) : locationOf(pointer)).join('/');
          expect(
            found.some((validation) => validation.code === verdict.code && validation.location?.join('/') === expected),
            `${context}\nexpected ${verdict.code} at ${expected}`,
          ).toBe(true);
        }
      });
    });
  }

  it('sees every breakage kind across the sample, and excludes only what Prism cannot see', () => {
    expect([...invalidKindsSeen.keys()].sort()).toEqual([...WEBHOOK_SYSTEMS].sort());
    const all = new Set([...invalidKindsSeen.values()].flatMap((kinds) => [...kinds]));
    expect([...all].sort()).toEqual(Object.keys(INVALID_KINDS).sort());
    // Each system's sample meets every way of breaking JSON and at least two ways of breaking the schema.
    for (const [system, kinds] of invalidKindsSeen) {
      for (const kind of JSON_BREAKS) expect(kinds.has(kind), `${system}: ${kind}`).toBe(true);
      expect([...kinds].filter((kind) => kind.startsWith('schema.')).length, system).toBeGreaterThanOrEqual(2);
    }
    // The exclusions are exactly these, and every other kind has a verdict.
    expect(Object.keys(EXCLUDED)).toEqual(['json.invalid-utf8']);
    expect([...Object.keys(PRISM_VERDICT), ...Object.keys(EXCLUDED)].sort()).toEqual(Object.keys(INVALID_KINDS).sort());
  });
});
