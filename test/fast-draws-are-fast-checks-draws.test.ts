/**
 * Samples are drawn without fast-check's shrinking bookkeeping (generators/fast-draw.ts): every value must be the one
 * fast-check itself draws for the seed, for every event, mode and flavor of the bundled specs, for the fuzzer's
 * inputs, and for the combinators the fast way knows (strings taking slices, biased lengths, depth) and those it
 * leaves to fast-check. A fast draw that differed would change what a seed sends and what a replay path points at.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryGenerator, type Mode, type EdgeFlavor } from '../generators/deliveries.js';
import { drawn } from '../generators/fast-draw.js';
import { loadBundledSpec, loadSpecFile, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { fuzzInputArbitrary, type FuzzInput } from '../suites/fuzz-inputs.js';
import { REPO_ROOT } from './support/paths.js';

const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);

/** The indexes where the two samples of `arbitrary` for `seed` differ (the bias factor grows with the index). */
function differences<T>(arbitrary: fc.Arbitrary<T>, seed: number, numRuns: number, same: (a: T, b: T) => boolean = isDeepStrictEqual): number[] {
  const expected = fc.sample(arbitrary, { seed, numRuns });
  const actual = fc.sample(drawn(arbitrary), { seed, numRuns });
  expect(actual).toHaveLength(expected.length);
  return expected.flatMap((value, index) => (same(value, actual[index]!) ? [] : [index]));
}

describe('a fast draw is the draw of fast-check', () => {
  it('for the drafts of every event, mode and flavor', () => {
    const generator = new DeliveryGenerator(3);
    const modes: [Mode, EdgeFlavor?][] = [['valid'], ['edge', 'any'], ['edge', 'zoom'], ['invalid']];
    const differing: string[] = [];
    for (const event of events) {
      for (const [mode, flavor] of modes) {
        for (const seed of [1, -7]) {
          const at = differences(generator.draftArbitrary(event, mode, flavor), seed, 25);
          if (at.length > 0) differing.push(`${event.system} ${event.name} ${mode} ${flavor ?? ''} seed ${seed}: runs ${at.join(', ')}`);
        }
      }
    }
    expect(differing).toEqual([]);
  });

  it("for the drafts of users' spec files as they are (the lenient fixtures, a paths-only document)", async () => {
    const dir = path.join(REPO_ROOT, 'test/fixtures/lenient');
    const files = [...readdirSync(dir).map((name) => path.join(dir, name)), path.join(REPO_ROOT, 'test/fixtures/user-spec.paths.json')];
    const generator = new DeliveryGenerator(4);
    const differing: string[] = [];
    let drafts = 0;
    for (const file of files) {
      const spec = await loadSpecFile(file, { strict: false });
      for (const event of spec.events) {
        for (const [mode, flavor] of [['valid'], ['edge', 'any'], ['edge', 'zoom'], ['invalid']] as [Mode, EdgeFlavor?][]) {
          const at = differences(generator.draftArbitrary(event, mode, flavor), 2, 25);
          drafts += 25;
          if (at.length > 0) differing.push(`${path.basename(file)} ${event.name} ${mode} ${flavor ?? ''}: runs ${at.join(', ')}`);
        }
      }
    }
    expect(drafts).toBeGreaterThan(1000);
    expect(differing).toEqual([]);
  });

  it("for the fuzzer's inputs: cases and lifecycle scenarios", () => {
    const input = fuzzInputArbitrary(new DeliveryGenerator(5), events);
    const commands = (value: FuzzInput) => (value.kind === 'scenario' ? [...value.value.commands].map(String) : []);
    const same = (a: FuzzInput, b: FuzzInput) =>
      a.kind === b.kind &&
      (a.kind === 'case' ? isDeepStrictEqual(a.value, b.value) : isDeepStrictEqual({ ...a.value, commands: commands(a) }, { ...b.value, commands: commands(b) }));
    let scenarios = 0;
    for (const seed of [11, 12, 13]) {
      expect(differences(input, seed, 150, same)).toEqual([]);
      scenarios += fc.sample(drawn(input), { seed, numRuns: 150 }).filter((value) => value.kind === 'scenario').length;
    }
    expect(scenarios).toBeGreaterThan(0);
  });

  it('for the combinators it knows and those it leaves to fast-check', () => {
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.array(tie('node'), { maxLength: 4 }), fc.record({ a: tie('node'), b: fc.boolean() }, { requiredKeys: ['b'] })),
    })).node;
    // Combinators sharing a depth identifier: the inner ones draw at depth, favoring their first arbitrary.
    const depth = fc.createDepthIdentifier();
    const inner = fc.oneof({ depthIdentifier: depth }, fc.constant(0), fc.nat(), fc.constant(2));
    const nested = fc.oneof(
      { depthIdentifier: depth, depthSize: 'medium' },
      fc.constant('leaf'),
      fc.array(inner, { depthIdentifier: depth, minLength: 1, maxLength: 30 }),
      fc.tuple(inner, fc.oneof({ depthIdentifier: depth }, fc.constant(1), fc.array(inner, { depthIdentifier: depth }))),
    );
    const arbitraries: [string, fc.Arbitrary<unknown>][] = [
      ['depth shared by oneofs and arrays', nested],
      ['default strings (slices of dangerous strings)', fc.string()],
      ['strings of a unit', fc.string({ unit: fc.constantFrom(...'abcdefghij_'), minLength: 1, maxLength: 16 })],
      ['biased lengths and items', fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 40 })],
      ['options and oneof with cross-shrink', fc.tuple(fc.option(fc.nat(9)), fc.oneof({ withCrossShrink: true }, fc.constant('x'), fc.nat()))],
      ['records with optional keys', fc.record({ 1: fc.nat(), b: fc.string(), c: fc.boolean() }, { requiredKeys: ['b'], noNullPrototype: true })],
      ['depth (recursive oneof)', tree],
      ['chain, filter and noBias', fc.nat(20).chain((n) => fc.array(fc.noBias(fc.nat(n)), { minLength: n % 4 })).filter((items) => items.length !== 2)],
      ['left to fast-check (double, uuid, dictionary, stringMatching)', fc.tuple(fc.double({ noNaN: true }), fc.uuid(), fc.dictionary(fc.string(), fc.nat()), fc.stringMatching(/^[a-z]{2,5}-\d+$/))],
    ];
    const differing = arbitraries.flatMap(([label, arbitrary]) =>
      [3, 4, 5].flatMap((seed) => {
        const at = differences(arbitrary, seed, 200);
        return at.length > 0 ? [`${label}, seed ${seed}: runs ${at.join(', ')}`] : [];
      }),
    );
    expect(differing).toEqual([]);
  });

  it('can fail: a different draw is told apart', () => {
    expect(differences(fc.nat(1_000_000), 9, 50, () => false)).toHaveLength(50);
    expect(differences(fc.nat(1_000_000), 9, 50)).toEqual([]);
  });
});
