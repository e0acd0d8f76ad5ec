import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBundledSpec, WEBHOOK_SYSTEMS, type WebhookEvent } from '../specs/catalog.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { DeliveryGenerator, MAX_BODY_BYTES } from '../generators/deliveries.js';
import { exactNumberProblems } from './support/exact-json.js';

const SEED = Number(process.env.CONFORMANCE_TEST_SEED ?? 20261122);
const RUNS = { valid: 12, edge: 12, invalid: 12 };
const events: WebhookEvent[] = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);
const validator = new SchemaValidator();

function parsed(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8'));
}

describe('generated bodies against their schemas, over all 169 events', () => {
  it('covers all 169 events', () => {
    expect(events).toHaveLength(169);
  });

  it('valid bodies parse, validate (ajv 2020 + formats) and keep every integer exact in the raw text', () => {
    const generator = new DeliveryGenerator(SEED);
    for (const event of events) {
      fc.assert(
        fc.property(generator.draftArbitrary(event, 'valid'), (draft) => {
          const delivery = generator.materialize(event, draft);
          const value = parsed(delivery.body);
          expect(validator.validate(event.body.schema, value), `${event.name}: ${delivery.body}`).toEqual([]);
          expect(exactNumberProblems(delivery.body.toString('utf8'), event.body.schema)).toEqual([]);
          expect((value as { event: string }).event).toBe(event.name);
          expect(delivery.edges).toEqual([]);
          expect(delivery.zoomPlausible).toBe(true);
        }),
        { seed: SEED, numRuns: RUNS.valid },
      );
    }
  });

  it('edge bodies parse, validate, stay under about 1 MB and name at least one edge', () => {
    const generator = new DeliveryGenerator(SEED);
    for (const event of events) {
      fc.assert(
        fc.property(generator.draftArbitrary(event, 'edge'), (draft) => {
          const delivery = generator.materialize(event, draft);
          const text = delivery.body.toString('utf8');
          expect(Buffer.from(text, 'utf8').equals(delivery.body)).toBe(true);
          const problems = validator.validate(event.body.schema, parsed(delivery.body));
          expect(problems, `${event.name} ${JSON.stringify(delivery.edges)}: ${text.slice(0, 2000)}`).toEqual([]);
          expect(exactNumberProblems(text, event.body.schema)).toEqual([]);
          expect(delivery.body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
          expect(delivery.edges.length).toBeGreaterThan(0);
          expect(delivery.zoomPlausible).toBe(delivery.edges.every((edge) => edge.zoom));
        }),
        { seed: SEED, numRuns: RUNS.edge },
      );
    }
  });

  it('invalid bodies are rejected by ajv or are not JSON at all', () => {
    const generator = new DeliveryGenerator(SEED);
    for (const event of events) {
      fc.assert(
        fc.property(generator.draftArbitrary(event, 'invalid'), (draft) => {
          const delivery = generator.materialize(event, draft);
          expect(delivery.edges).toHaveLength(1);
          const kind = delivery.edges[0]!.kind;
          let value: unknown;
          try {
            const text = new TextDecoder('utf-8', { fatal: true }).decode(delivery.body);
            value = JSON.parse(text);
          } catch {
            expect(kind.startsWith('json.'), `${event.name}: ${kind} should be JSON`).toBe(true);
            return;
          }
          expect(kind.startsWith('schema.'), `${event.name}: ${kind} parsed as JSON: ${delivery.body}`).toBe(true);
          expect(validator.isValid(event.body.schema, value), `${event.name} ${kind} at ${delivery.edges[0]!.path} still validates`).toBe(false);
        }),
        { seed: SEED, numRuns: RUNS.invalid },
      );
    }
  });
});
