/**
 * Deliveries: exact raw bodies for one event, in one of three modes.
 *
 * - valid: what Zoom really sends (realistic values, correlated ids, compact JSON in Zoom's key order);
 * - edge: still schema-valid, but hostile (see edge-kinds.ts), with a note of every edge and where it is;
 * - invalid: a body that breaks its schema, or that is not JSON at all.
 *
 * A generator belongs to one run: it owns the run's world (correlated ids) and its clock (every delivery gets a
 * distinct `event_ts`). The same seed gives the same bytes. Generation is two steps so that fast-check can
 * shrink: `draftArbitrary` is a pure arbitrary of drafts; `materialize` turns a draft into bytes. Drafts hold
 * references to the world (world-refs.ts), not its values, so the draft arbitraries hold nothing of a run: they are
 * made once per process for each event, mode and flavor and shared by every generator.
 */
import fc from 'fast-check';
import type { WebhookEvent } from '../specs/catalog.js';
import type { JsonSchema } from '../specs/json-schema.js';
import { EDGE_KINDS, INVALID_KINDS, type EdgeKindId } from './edge-kinds.js';
import { encode, encodingArbitrary, type Encoding } from './encodings.js';
import { drawn } from './fast-draw.js';
import { breakJson, breakSchema, JSON_BREAKS, SCHEMA_BREAKS, type JsonBreak, type SchemaBreak } from './invalid.js';
import { textAround, toJsonText, type JsonTree } from './json-text.js';
import { ArbitraryBuilder, Edge, edgesIn, finalizeTree, hasEdge, sharedBuilder, VALID_POLICY, type EdgeInstance, type GenTree, type Policy } from './schema-arbitrary.js';
import { pointer, setValueAt, walkWithSchema, type PathPart } from './schema-walk.js';
import { TakenTimestamps } from './taken-timestamps.js';
import { createWorld, type World } from './world.js';
import { primaryType } from './zoom-values.js';

export const MODES = ['valid', 'edge', 'invalid'] as const;
export type Mode = (typeof MODES)[number];

export interface DeliveryNote {
  /** An edge kind (edge mode) or a breakage kind (invalid mode). */
  kind: string;
  /** JSON pointer of the place (`` for the whole body). */
  path: string;
  /** Whether Zoom itself can plausibly send this. */
  zoom: boolean;
}

export interface Delivery {
  system: string;
  event: string;
  mode: Mode;
  /** The exact bytes to send (and to sign). */
  body: Buffer;
  /** The parsed JSON value, integers beyond 2^53 as bigint; undefined when the body is not JSON. */
  value: JsonTree | undefined;
  /** The body's `event_ts`, unique within the run; undefined when the body has none. */
  eventTs: number | undefined;
  /** What makes the delivery interesting: its edges (edge mode) or its breakage (invalid mode). */
  edges: DeliveryNote[];
  /** True for valid deliveries and for edge deliveries whose every edge Zoom itself can send. */
  zoomPlausible: boolean;
}

export type EdgeStrategy = 'leaves' | 'zoom-leaves' | 'sparse' | 'full' | 'open' | 'empty-arrays' | 'large' | 'encoding';

/** Which edges an edge-mode arbitrary draws: any, or only those Zoom itself sends (no encodings, no huge bodies). */
export type EdgeFlavor = 'any' | 'zoom';

export type Draft =
  | { mode: 'valid'; tree: GenTree }
  | { mode: 'edge'; strategy: EdgeStrategy; tree: GenTree; encoding?: Encoding; large?: { choice: number; bytes: number } }
  | { mode: 'invalid'; tree: GenTree; kind: SchemaBreak | JsonBreak; choice: number };

const POLICIES: Record<Exclude<EdgeStrategy, 'encoding'>, Policy> = {
  leaves: { optional: 'some', arrays: 'some', leafEdges: 0.35, extraProperties: false },
  'zoom-leaves': { optional: 'some', arrays: 'some', leafEdges: 0.6, extraProperties: false, zoomOnly: true },
  sparse: { optional: 'none', arrays: 'some', leafEdges: 0, extraProperties: false },
  full: { optional: 'all', arrays: 'nonempty', leafEdges: 0, extraProperties: false },
  open: { optional: 'some', arrays: 'some', leafEdges: 0, extraProperties: true },
  'empty-arrays': { optional: 'all', arrays: 'empty', leafEdges: 0, extraProperties: false },
  large: { optional: 'all', arrays: 'nonempty', leafEdges: 0, extraProperties: false },
};

/** A body never grows beyond this in edge mode. */
export const MAX_BODY_BYTES = 1_048_576;

interface Features {
  optional: boolean;
  open: boolean;
  emptiableArrays: boolean;
  /** An array that may hold more than one item, or a free-text string below the root: the body can grow. */
  growable: boolean;
}

/**
 * The draft arbitraries of the process, by the event's body schema (weakly: a spec a long-lived process drops takes
 * its arbitraries with it), then by the event's name (two specs may hold different events under one name), mode and
 * flavor.
 */
const DRAFTS = new WeakMap<JsonSchema, Map<string, fc.Arbitrary<Draft>>>();

export class DeliveryGenerator {
  readonly world: World;
  /** Every event_ts of the run (compact: a long fuzz takes one per delivery). */
  private readonly usedTimestamps: TakenTimestamps;

  constructor(readonly seed: number) {
    this.world = createWorld(seed);
    this.usedTimestamps = new TakenTimestamps(this.world.epochMs);
  }

  /**
   * A pure arbitrary of drafts for the event in the mode (cached). With the `zoom` flavor, edge mode draws only
   * edges Zoom itself sends; a draft may then carry no edge at all where the schema offers none.
   */
  draftArbitrary(event: WebhookEvent, mode: Mode, flavor: EdgeFlavor = 'any'): fc.Arbitrary<Draft> {
    let byEvent = DRAFTS.get(event.body.schema);
    if (!byEvent) DRAFTS.set(event.body.schema, (byEvent = new Map()));
    const key = `${event.name}\u0000${mode}\u0000${mode === 'edge' ? flavor : ''}`;
    let arbitrary = byEvent.get(key);
    if (!arbitrary) {
      arbitrary = mode === 'edge' && flavor === 'zoom' ? zoomEdgeDraftArbitrary(event) : draftArbitraryOf(event, mode);
      byEvent.set(key, arbitrary);
    }
    return arbitrary;
  }

  /** `count` deliveries of the event in the mode, deterministic for (run seed, system, event, mode). */
  generate(event: WebhookEvent, mode: Mode, count: number): Delivery[] {
    if (count <= 0) return [];
    const drafts = fc.sample(drawn(this.draftArbitrary(event, mode)), { seed: deriveSeed(this.seed, event.system, event.name, mode), numRuns: count });
    return drafts.map((draft) => this.materialize(event, draft));
  }

  /**
   * A valid draft's value, its `event_ts` taken for the run as `materialize` takes it, without writing its bytes:
   * for a caller that changes the value before writing it (lifecycles). Nothing else holds the value.
   */
  validValue(draft: Extract<Draft, { mode: 'valid' }>): JsonTree {
    return this.withUniqueTimestamp(finalizeTree(draft.tree, this.world).value);
  }

  /** Turns a draft into bytes; gives its `event_ts` a value not used before in this run. */
  materialize(event: WebhookEvent, draft: Draft): Delivery {
    const { value: tree, edges: found } = finalizeTree(draft.tree, this.world);
    const value = this.withUniqueTimestamp(tree);
    const eventTs = timestampOf(value);
    const base = { system: event.system, event: event.name, mode: draft.mode };
    if (draft.mode === 'valid') {
      return { ...base, body: Buffer.from(toJsonText(value), 'utf8'), value, eventTs, edges: [], zoomPlausible: true };
    }
    if (draft.mode === 'edge') {
      const edges: DeliveryNote[] = found.map(noteOf);
      if (draft.strategy === 'large' && draft.large) {
        // Large drafts carry no encoding (see draftArbitraryOf). The grown value (thousands of items) is made only
        // when read: most callers read the bytes alone.
        const grown = grow(event.body.schema, value, draft.large.choice, draft.large.bytes);
        edges.push(grown.note);
        const delivery: Delivery = { ...base, body: grown.body, value: undefined, eventTs, edges, zoomPlausible: edges.every((edge) => edge.zoom) };
        Object.defineProperty(delivery, 'value', { get: grown.value, enumerable: true, configurable: true });
        return delivery;
      }
      let body: Buffer | undefined;
      if (draft.encoding) {
        const encoded = encode(value, draft.encoding);
        body = Buffer.from(encoded.text, 'utf8');
        for (const kind of encoded.edges) edges.push({ kind, path: '', zoom: EDGE_KINDS[kind].zoom });
      }
      body ??= Buffer.from(toJsonText(value), 'utf8');
      return { ...base, body, value, eventTs, edges, zoomPlausible: edges.every((edge) => edge.zoom) };
    }
    if ((SCHEMA_BREAKS as readonly string[]).includes(draft.kind)) {
      const broken = breakSchema(draft.kind as SchemaBreak, event.body.schema, value, draft.choice);
      if (broken) {
        return {
          ...base,
          body: Buffer.from(toJsonText(broken.value), 'utf8'),
          value: broken.value,
          eventTs: timestampOf(broken.value),
          edges: [{ kind: broken.kind, path: broken.path, zoom: false }],
          zoomPlausible: false,
        };
      }
    }
    const kind: JsonBreak = (JSON_BREAKS as readonly string[]).includes(draft.kind) ? (draft.kind as JsonBreak) : 'json.truncated';
    return { ...base, body: breakJson(kind, value, draft.choice), value: undefined, eventTs: undefined, edges: [{ kind, path: '', zoom: false }], zoomPlausible: false };
  }

  /** Marks a timestamp as used by this run (for deliveries built elsewhere, e.g. lifecycles). */
  claimTimestamp(candidate: number): number {
    return this.usedTimestamps.claim(candidate);
  }

  private withUniqueTimestamp(value: JsonTree): JsonTree {
    const ts = timestampOf(value);
    if (ts === undefined) return value;
    const unique = this.claimTimestamp(ts);
    if (unique === ts) return value;
    return { ...(value as Record<string, JsonTree>), event_ts: unique };
  }

  /** The process's builder for a policy (shared by every generator: see `sharedBuilder`). */
  builder(policy: Policy): ArbitraryBuilder {
    return sharedBuilder(policy);
  }
}

function bodyArbitrary(event: WebhookEvent, policy: Policy): fc.Arbitrary<GenTree> {
  return sharedBuilder(policy).body(event.body.schema, event.name, event.body.example);
}

/** The drafts of edge mode with the `zoom` flavor: only edges Zoom itself sends. */
function zoomEdgeDraftArbitrary(event: WebhookEvent): fc.Arbitrary<Draft> {
  const features = schemaFeatures(event.body.schema);
  const strategies: { weight: number; arbitrary: fc.Arbitrary<Draft> }[] = [
    { weight: 6, arbitrary: bodyArbitrary(event, POLICIES['zoom-leaves']).map((tree): Draft => ({ mode: 'edge', strategy: 'zoom-leaves', tree })) },
  ];
  if (features.optional) {
    strategies.push(
      { weight: 2, arbitrary: bodyArbitrary(event, POLICIES.sparse).map((tree): Draft => ({ mode: 'edge', strategy: 'sparse', tree: new Edge(tree, 'object.optional-absent', true) })) },
      { weight: 2, arbitrary: bodyArbitrary(event, POLICIES.full).map((tree): Draft => ({ mode: 'edge', strategy: 'full', tree: new Edge(tree, 'object.optional-present', true) })) },
    );
  }
  if (features.open) strategies.push({ weight: 2, arbitrary: bodyArbitrary(event, POLICIES.open).map((tree): Draft => ({ mode: 'edge', strategy: 'open', tree })) });
  if (features.emptiableArrays) {
    strategies.push({ weight: 2, arbitrary: bodyArbitrary(event, POLICIES['empty-arrays']).map((tree): Draft => ({ mode: 'edge', strategy: 'empty-arrays', tree })) });
  }
  return fc.oneof(...strategies);
}

/** The drafts of a mode (edge mode: any edge). */
function draftArbitraryOf(event: WebhookEvent, mode: Mode): fc.Arbitrary<Draft> {
  const valid = bodyArbitrary(event, VALID_POLICY);
  if (mode === 'valid') return valid.map((tree): Draft => ({ mode: 'valid', tree }));
  if (mode === 'invalid') {
    return fc
      .record(
        { tree: valid, kind: fc.constantFrom<SchemaBreak | JsonBreak>(...SCHEMA_BREAKS, ...JSON_BREAKS), choice: fc.nat(1_000_000) },
        { noNullPrototype: true },
      )
      .map(({ tree, kind, choice }): Draft => ({ mode: 'invalid', tree, kind, choice }));
  }
  const features = schemaFeatures(event.body.schema);
  const strategies: { weight: number; arbitrary: fc.Arbitrary<Draft> }[] = [
    {
      weight: 2,
      arbitrary: fc.tuple(valid, encodingArbitrary()).map(([tree, encoding]): Draft => ({ mode: 'edge', strategy: 'encoding', tree, encoding })),
    },
  ];
  // Filtering for a leaf edge would never end where no leaf can take one (a user's event whose payload is a bare
  // object, or whose leaves are all enums, formats or narrow ranges): the builder that gives leaves their edges
  // tells whether it gave any, and the strategy is used only then.
  const leaves = bodyArbitrary(event, POLICIES.leaves);
  if (sharedBuilder(POLICIES.leaves).canCarryLeafEdge(leaves)) {
    strategies.unshift({
      weight: 8,
      arbitrary: fc
        .tuple(leaves.filter(hasEdge), fc.option(encodingArbitrary(), { freq: 4 }))
        .map(([tree, encoding]): Draft => ({ mode: 'edge', strategy: 'leaves', tree, ...(encoding ? { encoding } : {}) })),
    });
  }
  if (features.growable) {
    strategies.push({
      weight: 1,
      arbitrary: fc
        .tuple(bodyArbitrary(event, POLICIES.large), fc.nat(1_000_000), fc.integer({ min: 64_000, max: MAX_BODY_BYTES - 16_384 }))
        .map(([tree, choice, bytes]): Draft => ({ mode: 'edge', strategy: 'large', tree, large: { choice, bytes } })),
    });
  }
  if (features.optional) {
    strategies.push(
      { weight: 2, arbitrary: bodyArbitrary(event, POLICIES.sparse).map((tree): Draft => ({ mode: 'edge', strategy: 'sparse', tree: new Edge(tree, 'object.optional-absent', true) })) },
      { weight: 2, arbitrary: bodyArbitrary(event, POLICIES.full).map((tree): Draft => ({ mode: 'edge', strategy: 'full', tree: new Edge(tree, 'object.optional-present', true) })) },
    );
  }
  if (features.open) {
    strategies.push({ weight: 2, arbitrary: bodyArbitrary(event, POLICIES.open).filter(hasEdge).map((tree): Draft => ({ mode: 'edge', strategy: 'open', tree })) });
  }
  if (features.emptiableArrays) {
    strategies.push({
      weight: 2,
      arbitrary: bodyArbitrary(event, POLICIES['empty-arrays']).filter(hasEdge).map((tree): Draft => ({ mode: 'edge', strategy: 'empty-arrays', tree })),
    });
  }
  return fc.oneof(...strategies);
}

/**
 * Another delivery with `eventTs` as its event_ts: the same value and key order, compact (for two different deliveries
 * that share an event_ts, as Zoom sends when two things happen in one millisecond).
 */
export function retimed(delivery: Delivery, eventTs: number): Delivery {
  if (delivery.value === null || typeof delivery.value !== 'object' || Array.isArray(delivery.value)) throw new Error('internal: only a JSON object body has an event_ts');
  const value: JsonTree = { ...delivery.value, event_ts: eventTs };
  return { ...delivery, value, eventTs, body: Buffer.from(toJsonText(value), 'utf8') };
}

/** What a draft will carry once materialized, known without building its bytes. */
export interface DraftTraits {
  /** Edges it will carry (edge mode); 0 otherwise. */
  edges: number;
  /** Every edge is one Zoom itself sends (valid drafts: true). */
  zoomPlausible: boolean;
  /** An invalid draft that breaks the schema (not JSON itself). */
  schemaBreak: boolean;
}

export function draftTraits(draft: Draft): DraftTraits {
  if (draft.mode === 'valid') return { edges: 0, zoomPlausible: true, schemaBreak: false };
  if (draft.mode === 'invalid') return { edges: 1, zoomPlausible: false, schemaBreak: (SCHEMA_BREAKS as readonly string[]).includes(draft.kind) };
  const leaves = edgesIn(draft.tree);
  // A large body and another byte encoding each add an edge Zoom does not send.
  const extra = (draft.strategy === 'large' ? 1 : 0) + (draft.encoding ? 1 : 0);
  return { edges: leaves.length + extra, zoomPlausible: extra === 0 && leaves.every((edge) => edge.zoom), schemaBreak: false };
}

function noteOf(edge: EdgeInstance): DeliveryNote {
  return { kind: edge.kind, path: edge.path, zoom: edge.zoom };
}

function timestampOf(value: JsonTree | undefined): number | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const ts = value.event_ts;
  return typeof ts === 'number' ? ts : undefined;
}

/** What a schema offers to edge strategies. */
export function schemaFeatures(schema: JsonSchema): Features {
  const features: Features = { optional: false, open: false, emptiableArrays: false, growable: false };
  const seen = new Set<JsonSchema>();
  const visit = (node: JsonSchema | undefined, depth: number, alternative = false) => {
    if (!node || seen.has(node)) return;
    seen.add(node);
    const names = Object.keys(node.properties ?? {});
    if (names.some((name) => !(node.required ?? []).includes(name))) features.optional = true;
    if (node.additionalProperties === true || (depth > 0 && schemaIsObject(node) && names.length === 0 && node.additionalProperties === undefined)) features.open = true;
    if (node.items && !node.minItems) features.emptiableArrays = true;
    if (depth > 0 && !alternative) {
      if (node.items && (node.maxItems ?? 2) > 1) features.growable = true;
      if (primaryType(node) === 'string' && isFreeText(node) && (node.maxLength ?? 1000) >= 1000 && depth > 1) features.growable = true;
    }
    for (const child of Object.values(node.properties ?? {})) visit(child, depth + 1, alternative);
    visit(node.items, depth + 1, alternative);
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) visit(branch, depth + 1, true);
  };
  visit(schema, 0);
  return features;
}

function schemaIsObject(schema: JsonSchema): boolean {
  return schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object'));
}

/**
 * Grows a body towards `bytes`: repeats the items of one array (within its maxItems), or, where the body has no
 * array with items, lengthens one free-text string (within its maxLength). Gives the compact text as bytes, written
 * straight into one buffer from the text around the grown part (the items' text repeated, not the grown value
 * serialized: at a megabyte the serialization, and every extra copy of the bytes, is most of the delivery's cost),
 * and the grown value, which few callers read, as a function that makes it when first asked.
 */
function grow(schema: JsonSchema, value: JsonTree, choice: number, bytes: number): { value: () => JsonTree; body: Buffer; note: DeliveryNote } {
  const arrays: { path: PathPart[]; items: JsonTree[]; max: number }[] = [];
  const texts: { path: PathPart[]; text: string; max: number }[] = [];
  walkWithSchema(schema, value, ({ value: node, schema: nodeSchema, path, alternative }) => {
    if (alternative) return;
    if (Array.isArray(node) && node.length > 0) arrays.push({ path: [...path], items: node, max: nodeSchema.maxItems ?? Number.MAX_SAFE_INTEGER });
    if (typeof node === 'string' && isFreeText(nodeSchema) && path.length > 1) texts.push({ path: [...path], text: node, max: nodeSchema.maxLength ?? Number.MAX_SAFE_INTEGER });
  });
  const grownValue = (path: readonly PathPart[], grown: () => JsonTree) => {
    let made: JsonTree | undefined;
    return () => {
      if (made === undefined) {
        made = structuredClone(value) as JsonTree;
        setValueAt(made, path, grown());
      }
      return made;
    };
  };
  const growable = arrays.filter((site) => site.max > site.items.length);
  if (growable.length > 0) {
    const site = growable[choice % growable.length]!;
    // The body's size now: the text around the array plus the array's own (textAround's contract).
    const around = textAround(value, site.path);
    const itemsBytes = Buffer.byteLength(toJsonText(site.items));
    const current = Buffer.byteLength(around.before) + itemsBytes + Buffer.byteLength(around.after);
    const itemBytes = Math.max(2, Math.ceil(itemsBytes / site.items.length) + 1);
    const target = Math.min(site.max, site.items.length + Math.max(1, Math.floor((bytes - current) / itemBytes)));
    return {
      value: grownValue(site.path, () => Array.from({ length: target }, (_, index) => site.items[index % site.items.length]!)),
      body: repeatedItemsBody(around, site.items, target),
      note: { kind: 'array.large', path: pointer(site.path), zoom: false },
    };
  }
  const longable = texts.filter((site) => site.max >= 1000);
  if (longable.length > 0) {
    const site = longable[choice % longable.length]!;
    const { before, after } = textAround(value, site.path);
    const current = Buffer.byteLength(before) + Buffer.byteLength(toJsonText(site.text)) + Buffer.byteLength(after);
    const length = Math.min(site.max, Math.max(1000, bytes - current));
    // The long text needs no escape: its JSON text is the text in quotes.
    const head = Buffer.from(`${before}"`, 'utf8');
    const tail = Buffer.from(`"${after}`, 'utf8');
    const body = Buffer.allocUnsafe(head.length + length + tail.length);
    head.copy(body, 0);
    repeatInto(body, Buffer.from(LONG_TEXT, 'latin1'), head.length, head.length + length);
    tail.copy(body, head.length + length);
    return {
      value: grownValue(site.path, () => LONG_TEXT.repeat(Math.ceil(length / LONG_TEXT.length)).slice(0, length)),
      body,
      note: { kind: 'string.long', path: pointer(site.path), zoom: false },
    };
  }
  throw new Error('internal: the large-body strategy was chosen for a body with nothing to grow');
}

const LONG_TEXT = 'Long text ';

/**
 * Writes `pattern` over and over into `body` from `start` to `end` (the last copy cut short), as `Buffer.fill` does,
 * in doubling copies: a megabyte of a short pattern is about twenty copies instead of one per pattern.
 */
function repeatInto(body: Buffer, pattern: Buffer, start: number, end: number): void {
  if (end <= start) return;
  let filled = pattern.copy(body, start, 0, Math.min(pattern.length, end - start));
  while (start + filled < end) filled += body.copy(body, start + filled, start, start + Math.min(filled, end - start - filled));
}

/**
 * The compact bytes of a value whose array holds `count` items, `items` over and over: exactly `toJsonText` of
 * that value, written as the text around the array (`textAround`) and one run of the items' text repeated.
 */
function repeatedItemsBody({ before, after }: { before: string; after: string }, items: readonly JsonTree[], count: number): Buffer {
  const head = Buffer.from(`${before}[`, 'utf8');
  const tail = Buffer.from(`]${after}`, 'utf8');
  // One cycle of the items, each followed by a comma: the run is cycles of it, then the first items of one more.
  const itemTexts = items.map((item) => Buffer.from(`${toJsonText(item)},`, 'utf8'));
  const cycle = Buffer.concat(itemTexts);
  const cycles = Math.floor(count / items.length);
  const rest = itemTexts.slice(0, count % items.length);
  const run = cycles * cycle.length + rest.reduce((sum, text) => sum + text.length, 0);
  // The last item's comma gives way to the closing bracket.
  const body = Buffer.allocUnsafe(head.length + run - 1 + tail.length);
  head.copy(body, 0);
  let at = head.length;
  if (cycles > 0) repeatInto(body, cycle, at, (at += cycles * cycle.length));
  for (const text of rest) at += text.copy(body, at);
  tail.copy(body, at - 1);
  return body;
}

function isFreeText(schema: JsonSchema): boolean {
  return !schema.enum && !schema.format && !schema.pattern && schema.const === undefined;
}

/** A 32-bit seed for (run seed, system, event, mode): FNV-1a over the text. */
export function deriveSeed(seed: number, ...parts: string[]): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const char of parts.join('\u0000')) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

export function describeNote(note: DeliveryNote): string {
  const kind = (EDGE_KINDS as Record<string, { title: string }>)[note.kind] ?? (INVALID_KINDS as Record<string, { title: string }>)[note.kind];
  return `${note.kind}${note.path ? ` at ${note.path}` : ''}${kind ? ` (${kind.title})` : ''}`;
}

export type { EdgeKindId };
