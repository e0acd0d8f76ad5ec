/**
 * The values fast-check draws, drawn without fast-check's bookkeeping.
 *
 * fast-check wraps every value it generates, down to each character of a string, in a `Value` with the context it
 * needs to shrink it. A sample (`fc.sample`) throws all of that away and keeps the values: drawing a fuzz input
 * without it takes about a quarter less time (37 against 27 us, warm). `drawn(arbitrary)` is an arbitrary
 * that draws the very same values from the same random numbers, in the same order, as `arbitrary` does, but builds
 * only the values: each combinator the specs' arbitraries are made of (map, tuple, record, oneof, option,
 * constantFrom, integer, array, string, noBias, chain, filter) is compiled once into a plain function that repeats
 * fast-check's own steps, bias and depth included; any other arbitrary draws through fast-check itself, on the same
 * generator. It serves samples only: a value it drew does not shrink (`fc.check` and a replay at a path use the
 * original arbitrary, which draws the same values). A test holds the two draws equal over every event, mode and
 * flavor of the bundled specs and of users' spec files, the fuzzer's inputs and each combinator.
 *
 * It reads fast-check's internal fields (the version is pinned by the lockfile): a field it does not find makes that
 * arbitrary draw through fast-check, never a different value.
 */
import fc from 'fast-check';

/** Draws a value from the random generator with the bias factor, as the arbitrary's `generate` does. */
type Draw = (mrng: fc.Random, biasFactor: number | undefined) => unknown;

/** fast-check's internals (not typed): read only in `compile` and the draws below. */
type Internal = any;

const prototypeOf = (arbitrary: fc.Arbitrary<unknown>): object => Object.getPrototypeOf(arbitrary) as object;
const PROTOTYPES = {
  map: prototypeOf(fc.constant(0).map((value) => value)),
  tuple: prototypeOf(fc.tuple(fc.constant(0))),
  frequency: prototypeOf(fc.oneof(fc.constant(0), fc.constant(1))),
  constant: prototypeOf(fc.constantFrom(0, 1)),
  integer: prototypeOf(fc.integer({ min: 0, max: 1 })),
  noBias: prototypeOf(fc.noBias(fc.integer({ min: 0, max: 1 }))),
  array: prototypeOf(fc.array(fc.constant(0))),
  chain: prototypeOf(fc.constant(0).chain(() => fc.constant(0))),
  filter: prototypeOf(fc.constant(0).filter(() => true)),
};

const DRAWS = new WeakMap<fc.Arbitrary<unknown>, Draw>();

/** How `arbitrary` draws, compiled once. */
export function drawOf(arbitrary: fc.Arbitrary<unknown>): Draw {
  let draw = DRAWS.get(arbitrary);
  if (!draw) {
    draw = compile(arbitrary as Internal) ?? ((mrng, biasFactor) => arbitrary.generate(mrng, biasFactor).value);
    DRAWS.set(arbitrary, draw);
  }
  return draw;
}

/**
 * Draws `record` (an `fc.record` over `keys`, in that order, with `noNullPrototype`) as an object written key by key,
 * without the array of values fast-check maps into it: the same object, from the same draws. A record of another
 * shape keeps the general way.
 */
export function drawRecordOf(record: fc.Arbitrary<unknown>, keys: readonly string[]): void {
  const tuple = (record as Internal).arb;
  const arbs = tuple?.arbs as fc.Arbitrary<unknown>[] | undefined;
  if (Object.getPrototypeOf(record) !== PROTOTYPES.map || Object.getPrototypeOf(tuple) !== PROTOTYPES.tuple || !Array.isArray(arbs)) return;
  if (arbs.length !== keys.length + 1 || keys.includes('__proto__')) return;
  // The last item says whether the object has a null prototype: constant(false) under noNullPrototype (no draw).
  const prototypeFlag = arbs[arbs.length - 1] as Internal;
  if (Object.getPrototypeOf(prototypeFlag) !== PROTOTYPES.constant || prototypeFlag.values?.length !== 1 || prototypeFlag.values[0] !== false) return;
  // An optional key is fc.option(arbitrary, { nil: noKey }): its first arbitrary is constant(noKey), a symbol.
  const fields = arbs.slice(0, -1);
  let noKey: symbol | undefined;
  for (const arbitrary of fields as Internal[]) {
    if (Object.getPrototypeOf(arbitrary) !== PROTOTYPES.frequency) continue;
    const nil = arbitrary.warbs?.[0]?.arbitrary?.values?.[0];
    if (typeof nil === 'symbol' && nil.description === 'no-key') noKey = nil;
  }
  const draws = fields.map(drawOf);
  DRAWS.set(record, (mrng, biasFactor) => {
    const object: Record<string, unknown> = {};
    for (let index = 0; index < draws.length; index++) {
      const value = draws[index]!(mrng, biasFactor);
      if (value !== noKey || noKey === undefined) object[keys[index]!] = value;
    }
    return object;
  });
}

/** The arbitrary's values, drawn by `drawOf` (for samples: they do not shrink). */
export function drawn<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return new DrawnArbitrary(arbitrary);
}

class DrawnArbitrary<T> extends fc.Arbitrary<T> {
  private readonly draw: Draw;
  constructor(original: fc.Arbitrary<T>) {
    super();
    this.draw = drawOf(original);
  }
  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    return new fc.Value(this.draw(mrng, biasFactor) as T, undefined);
  }
  canShrinkWithoutContext(_value: unknown): _value is T {
    return false;
  }
  shrink(): fc.Stream<fc.Value<T>> {
    return fc.Stream.nil();
  }
}

/** fast-check's own steps for the arbitrary's class; undefined for a class (or a shape of it) not known here. */
function compile(arbitrary: Internal): Draw | undefined {
  const prototype = Object.getPrototypeOf(arbitrary);
  switch (prototype) {
    case PROTOTYPES.map: {
      if (typeof arbitrary.mapper !== 'function' || !arbitrary.arb) return undefined;
      const inner = drawOf(arbitrary.arb);
      const mapper = arbitrary.mapper as (value: unknown) => unknown;
      return (mrng, biasFactor) => mapper(inner(mrng, biasFactor));
    }
    case PROTOTYPES.tuple: {
      if (!Array.isArray(arbitrary.arbs)) return undefined;
      const items = (arbitrary.arbs as fc.Arbitrary<unknown>[]).map(drawOf);
      return (mrng, biasFactor) => {
        const values = new Array(items.length);
        for (let index = 0; index < items.length; index++) values[index] = items[index]!(mrng, biasFactor);
        return values;
      };
    }
    case PROTOTYPES.constant: {
      const values = arbitrary.values as unknown[];
      if (!Array.isArray(values)) return undefined;
      const last = values.length - 1;
      return last === 0 ? () => values[0] : (mrng) => values[mrng.nextInt(0, last)];
    }
    case PROTOTYPES.integer:
      return integerDraw(arbitrary);
    case PROTOTYPES.noBias: {
      if (!arbitrary.arb) return undefined;
      const inner = drawOf(arbitrary.arb);
      return (mrng) => inner(mrng, undefined);
    }
    case PROTOTYPES.frequency:
      return frequencyDraw(arbitrary);
    case PROTOTYPES.array:
      return arrayDraw(arbitrary);
    case PROTOTYPES.chain: {
      if (!arbitrary.arb || typeof arbitrary.chainer !== 'function') return undefined;
      const source = drawOf(arbitrary.arb);
      const chainer = arbitrary.chainer as (value: unknown) => fc.Arbitrary<unknown>;
      return (mrng, biasFactor) => drawOf(chainer(source(mrng, biasFactor)))(mrng, biasFactor);
    }
    case PROTOTYPES.filter: {
      if (!arbitrary.arb || typeof arbitrary.refinement !== 'function') return undefined;
      const inner = drawOf(arbitrary.arb);
      const refinement = arbitrary.refinement as (value: unknown) => boolean;
      return (mrng, biasFactor) => {
        for (;;) {
          const value = inner(mrng, biasFactor);
          if (refinement(value)) return value;
        }
      };
    }
    default:
      return undefined;
  }
}

/** IntegerArbitrary: unbiased, or (one time in `biasFactor`) within one of its ranges near the bounds. */
function integerDraw(arbitrary: Internal): Draw | undefined {
  const { min, max, ranges } = arbitrary as { min: number; max: number; ranges: { min: number; max: number }[] };
  if (typeof min !== 'number' || typeof max !== 'number' || !Array.isArray(ranges) || ranges.length === 0) return undefined;
  const lastRange = ranges.length - 2;
  return (mrng, biasFactor) => {
    if (biasFactor === undefined || mrng.nextInt(1, biasFactor) !== 1) return mrng.nextInt(min, max);
    if (ranges.length === 1) return mrng.nextInt(ranges[0]!.min, ranges[0]!.max);
    const id = mrng.nextInt(-2 * (ranges.length - 1), lastRange);
    const range = id < 0 ? ranges[0]! : ranges[id + 1]!;
    return mrng.nextInt(range.min, range.max);
  };
}

/** FrequencyArbitrary (oneof, option): a weighted pick, favoring the first arbitrary with depth. */
function frequencyDraw(arbitrary: Internal): Draw | undefined {
  const { warbs, constraints, context, cumulatedWeights, totalWeight } = arbitrary as {
    warbs: { arbitrary: fc.Arbitrary<unknown>; weight: number }[];
    constraints: { depthBias: number; maxDepth: number };
    context: { depth: number };
    cumulatedWeights: number[];
    totalWeight: number;
  };
  if (!Array.isArray(warbs) || !constraints || !context || !Array.isArray(cumulatedWeights) || typeof totalWeight !== 'number') return undefined;
  const draws = warbs.map((warb) => drawOf(warb.arbitrary));
  const firstWeighs = warbs[0]!.weight !== 0;
  const at = (index: number, mrng: fc.Random, biasFactor: number | undefined) => {
    ++context.depth;
    try {
      return draws[index]!(mrng, biasFactor);
    } finally {
      --context.depth;
    }
  };
  return (mrng, biasFactor) => {
    if (constraints.maxDepth <= context.depth) return at(0, mrng, biasFactor);
    let lowest = 0;
    if (constraints.depthBias > 0 && firstWeighs) {
      const benefit = Math.floor(Math.pow(1 + constraints.depthBias, context.depth)) - 1;
      lowest = -Math.min(totalWeight * benefit, Number.MAX_SAFE_INTEGER) || 0;
    }
    const selected = mrng.nextInt(lowest, totalWeight - 1);
    for (let index = 0; index < cumulatedWeights.length; index++) if (selected < cumulatedWeights[index]!) return at(index, mrng, biasFactor);
    throw new Error('Unable to generate from fc.frequency');
  };
}

/** ArrayArbitrary without a set builder (array, string): a length, biased or not, then its items, maybe from a slice. */
function arrayDraw(arbitrary: Internal): Draw | undefined {
  const { arb, minLength, maxGeneratedLength, depthContext, cachedBiasedMaxLength, setBuilder, customSlices } = arbitrary as {
    arb: fc.Arbitrary<unknown>;
    minLength: number;
    maxGeneratedLength: number;
    depthContext: { depth: number };
    cachedBiasedMaxLength: number;
    setBuilder: unknown;
    customSlices: unknown[][];
  };
  if (!arb || setBuilder !== undefined || !depthContext || !Array.isArray(customSlices)) return undefined;
  if (typeof minLength !== 'number' || typeof maxGeneratedLength !== 'number' || typeof cachedBiasedMaxLength !== 'number') return undefined;
  const item = drawOf(arb);
  const items = (count: number, mrng: fc.Random, biasFactor: number | undefined): unknown[] => {
    const values = new Array(count);
    if (biasFactor === undefined || customSlices.length === 0 || mrng.nextInt(1, biasFactor) !== 1) {
      for (let index = 0; index < count; index++) values[index] = item(mrng, biasFactor);
      return values;
    }
    // SlicedBasedGenerator: items taken from the slices (strings known to cause trouble) as well as drawn.
    let active = 0;
    let next = 0;
    let last = -1;
    if (count !== 0 && mrng.nextInt(1, biasFactor) === 1) {
      const eligible: number[] = [];
      for (let index = 0; index < customSlices.length; index++) if (customSlices[index]!.length === count) eligible.push(index);
      if (eligible.length > 0) {
        active = eligible[mrng.nextInt(0, eligible.length - 1)]!;
        next = 0;
        last = count - 1;
      }
    }
    for (let index = 0; index < count; index++) {
      if (next <= last) {
        values[index] = customSlices[active]![next++];
        continue;
      }
      if (mrng.nextInt(1, biasFactor) !== 1) {
        values[index] = item(mrng, biasFactor);
        continue;
      }
      active = mrng.nextInt(0, customSlices.length - 1);
      const slice = customSlices[active]!;
      if (mrng.nextInt(1, biasFactor) !== 1) {
        next = 1;
        last = slice.length - 1;
        values[index] = slice[0];
        continue;
      }
      const boundaryA = mrng.nextInt(0, slice.length - 1);
      const boundaryB = mrng.nextInt(0, slice.length - 1);
      next = Math.min(boundaryA, boundaryB);
      last = Math.max(boundaryA, boundaryB);
      values[index] = slice[next++];
    }
    return values;
  };
  return (mrng, biasFactor) => {
    let count: number;
    let itemsBias: number | undefined;
    if (biasFactor === undefined) count = mrng.nextInt(minLength, maxGeneratedLength);
    else if (minLength === maxGeneratedLength) {
      count = mrng.nextInt(minLength, maxGeneratedLength);
      itemsBias = biasFactor;
    } else if (mrng.nextInt(1, biasFactor) !== 1) count = mrng.nextInt(minLength, maxGeneratedLength);
    else if (mrng.nextInt(1, biasFactor) !== 1) {
      count = mrng.nextInt(minLength, maxGeneratedLength);
      itemsBias = biasFactor;
    } else {
      count = mrng.nextInt(minLength, cachedBiasedMaxLength);
      itemsBias = biasFactor;
    }
    const depthImpact = count - cachedBiasedMaxLength;
    if (depthImpact <= 0) return items(count, mrng, itemsBias);
    depthContext.depth += depthImpact;
    try {
      return items(count, mrng, itemsBias);
    } finally {
      depthContext.depth -= depthImpact;
    }
  };
}
