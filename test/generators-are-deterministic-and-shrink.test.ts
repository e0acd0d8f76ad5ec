import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { DeliveryGenerator, MODES, type Draft } from '../generators/deliveries.js';
import { finalizeTree } from '../generators/schema-arbitrary.js';

const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);
const byName = (name: string) => events.find((event) => event.name === name)!;

describe('determinism', () => {
  for (const mode of MODES) {
    it(`the same seed gives the same bytes (${mode}), a different seed different bytes`, () => {
      const sample = events.filter((_, index) => index % 17 === 0);
      const run = (seed: number) => sample.flatMap((event) => new DeliveryGenerator(seed).generate(event, mode, 5).map((delivery) => delivery.body.toString('base64')));
      expect(run(99)).toEqual(run(99));
      expect(run(99)).not.toEqual(run(100));
    });
  }

  it('an event generates the same bytes whatever other events the run generated before it', () => {
    const target = byName('meeting.ended');
    const alone = new DeliveryGenerator(5).generate(target, 'valid', 3);
    const busy = new DeliveryGenerator(5);
    busy.generate(byName('meeting.started'), 'valid', 7);
    const after = busy.generate(target, 'valid', 3);
    // Only event_ts may move (it is unique within a run); everything else is identical.
    const strip = (body: Buffer) => body.toString('utf8').replace(/"event_ts":\d+/, '');
    expect(after.map((delivery) => strip(delivery.body))).toEqual(alone.map((delivery) => strip(delivery.body)));
  });
});

describe('shrinking works on every arbitrary', () => {
  it('valid mode: a failing property shrinks to a body with exactly one optional field', () => {
    const event = byName('meeting.participant_joined');
    const generator = new DeliveryGenerator(1);
    const schema = event.body.schema.properties!.payload!.properties!.object!.properties!.participant!;
    const optional = Object.keys(schema.properties!).filter((name) => !schema.required!.includes(name));
    const result = fc.check(
      fc.property(generator.draftArbitrary(event, 'valid'), (draft) => {
        const { value } = finalizeTree(draft.tree, generator.world);
        const participant = (value as any).payload.object.participant as Record<string, unknown>;
        return optional.every((name) => !(name in participant));
      }),
      { seed: 3, numRuns: 200 },
    );
    expect(result.failed).toBe(true);
    const { value } = finalizeTree(result.counterexample![0].tree, generator.world);
    const participant = (value as any).payload.object.participant as Record<string, unknown>;
    expect(optional.filter((name) => name in participant)).toHaveLength(1);
    expect(result.numShrinks).toBeGreaterThan(0);
  });

  it('edge mode: a failing property shrinks to a delivery with a single edge', () => {
    const event = byName('meeting.started');
    const generator = new DeliveryGenerator(2);
    const result = fc.check(
      fc.property(generator.draftArbitrary(event, 'edge'), (draft) => generator.materialize(event, draft).edges.length === 0),
      { seed: 4, numRuns: 50 },
    );
    expect(result.failed).toBe(true);
    expect(generator.materialize(event, result.counterexample![0]).edges).toHaveLength(1);
  });

  it('invalid mode: shrinking keeps the breakage and reaches the first kind', () => {
    const event = byName('session.started');
    const generator = new DeliveryGenerator(3);
    const result = fc.check(
      fc.property(generator.draftArbitrary(event, 'invalid'), (_draft: Draft) => false),
      { seed: 5, numRuns: 10 },
    );
    expect(result.failed).toBe(true);
    const draft: Draft = result.counterexample![0];
    expect(draft.mode).toBe('invalid');
    expect(draft.mode === 'invalid' && draft.kind).toBe('schema.missing-required');
    expect(draft.mode === 'invalid' && draft.choice).toBe(0);
  });
});
