/**
 * Invalid deliveries: a valid body broken on purpose, either against its schema (a required field removed, a value
 * of the wrong type, a value outside the possible values, a string that breaks its format) or as JSON itself
 * (truncated, empty, trailing garbage, form-encoded, UTF-16, bytes that are not UTF-8).
 *
 * Schema breakage is only applied where it cannot be repaired by another `anyOf` alternative, so every such body
 * is rejected by a validator; where a body offers no place for the chosen breakage, the root itself gets the wrong
 * type.
 */
import type { JsonSchema } from '../specs/json-schema.js';
import type { InvalidKindId } from './edge-kinds.js';
import { toJsonText, type JsonTree } from './json-text.js';
import { schemaType } from './schema-arbitrary.js';
import { pointer, setValueAt, valueAt, walkWithSchema, type PathPart } from './schema-walk.js';

export const SCHEMA_BREAKS = ['schema.missing-required', 'schema.wrong-type', 'schema.out-of-enum', 'schema.bad-format'] as const;
export const JSON_BREAKS = ['json.truncated', 'json.empty', 'json.trailing-garbage', 'json.form-encoded', 'json.wrong-encoding', 'json.invalid-utf8'] as const;
export type SchemaBreak = (typeof SCHEMA_BREAKS)[number];
export type JsonBreak = (typeof JSON_BREAKS)[number];

interface Site {
  /** Path of keys/indices from the root to the value (or to the parent, for a removal). */
  path: PathPart[];
  schema: JsonSchema;
  /** For removals: the property to remove from the object at `path`. */
  property?: string;
}

/** Formats whose violation a validator detects (ajv-formats). */
const CHECKED_FORMATS: Record<string, string> = {
  'date-time': '2026-13-45T25:61:00Z',
  date: '2026-02-30x',
  email: 'not an email address',
  uri: 'not a uri',
  url: 'not a url',
  uuid: 'not-a-uuid',
  ipv4: '999.1.1',
};

/** Every place in `value` where the break can be applied, outside `anyOf`/`oneOf` subtrees. */
function sites(kind: SchemaBreak, schema: JsonSchema, value: JsonTree): Site[] {
  const out: Site[] = [];
  walkWithSchema(schema, value, ({ value: current, schema: node, path, alternative }) => {
    if (alternative) return;
    const isEventName = path.length === 1 && path[0] === 'event';
    if (kind === 'schema.out-of-enum' && node.enum && node.enum.length > 0 && path.length > 0) out.push({ path: [...path], schema: node });
    if (kind === 'schema.bad-format' && schemaType(node) === 'string' && node.format && CHECKED_FORMATS[node.format] && !node.enum) {
      out.push({ path: [...path], schema: node });
    }
    // Only a declared type can be contradicted: a schema without `type` may accept anything.
    if (kind === 'schema.wrong-type' && path.length > 0 && node.type !== undefined && !isEventName) out.push({ path: [...path], schema: node });
    if (kind === 'schema.missing-required' && current !== null && typeof current === 'object' && !Array.isArray(current)) {
      for (const name of node.required ?? []) {
        if (name in current && !(path.length === 0 && name === 'event')) out.push({ path: [...path], schema: node, property: name });
      }
    }
  });
  return out;
}

/** A value no schema of this type accepts: another JSON type entirely. */
function wrongTypeValue(schema: JsonSchema): JsonTree {
  const allowed = new Set(Array.isArray(schema.type) ? schema.type : [schemaType(schema)]);
  if ((schema as { nullable?: boolean }).nullable) allowed.add('null');
  const candidates: [string, JsonTree][] = [
    ['string', 'not-the-declared-type'],
    ['object', { unexpected: true }],
    ['boolean', true],
    ['array', [1]],
  ];
  for (const [type, value] of candidates) if (!allowed.has(type as never)) return value;
  return null;
}

function outOfEnumValue(schema: JsonSchema): JsonTree {
  const values = schema.enum ?? [];
  if (values.every((value) => typeof value === 'number')) return Math.max(...(values as number[])) + 1000;
  let candidate = 'not_a_possible_value';
  while (values.includes(candidate)) candidate += '_';
  return candidate;
}

/**
 * Applies a schema break at the `choice`-th applicable site, or breaks the root's declared type when there is
 * none. Undefined when neither is possible (a schema that declares nothing to contradict).
 */
export function breakSchema(
  kind: SchemaBreak,
  schema: JsonSchema,
  value: JsonTree,
  choice: number,
): { value: JsonTree; path: string; kind: SchemaBreak } | undefined {
  const candidates = sites(kind, schema, value);
  if (candidates.length === 0) {
    if (schema.type === undefined) return undefined;
    return { value: wrongTypeValue(schema), path: '', kind: 'schema.wrong-type' };
  }
  const site = candidates[choice % candidates.length]!;
  const copy = structuredClone(value) as JsonTree;
  if (site.property !== undefined) {
    const parent = valueAt(copy, site.path) as Record<string, JsonTree>;
    delete parent[site.property];
    return { value: copy, path: pointer([...site.path, site.property]), kind };
  }
  const replacement =
    kind === 'schema.out-of-enum' ? outOfEnumValue(site.schema) : kind === 'schema.bad-format' ? CHECKED_FORMATS[site.schema.format!]! : wrongTypeValue(site.schema);
  setValueAt(copy, site.path, replacement);
  return { value: copy, path: pointer(site.path), kind };
}

/** Bytes that are not a JSON document, made from a valid body. `choice` picks where to cut, for truncation. */
export function breakJson(kind: JsonBreak, value: JsonTree, choice: number): Buffer {
  const text = toJsonText(value);
  switch (kind) {
    case 'json.truncated': {
      // Cut strictly inside the text: never empty, never whole (a prefix of a JSON object is never JSON).
      const cut = 1 + (choice % Math.max(1, text.length - 1));
      return Buffer.from(text.slice(0, cut), 'utf8');
    }
    case 'json.empty':
      return Buffer.alloc(0);
    case 'json.trailing-garbage':
      return Buffer.from(`${text}}garbage`, 'utf8');
    case 'json.form-encoded': {
      const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
      const pairs = Object.entries(record).map(([key, item]) => `${encodeURIComponent(key)}=${encodeURIComponent(typeof item === 'string' ? item : toJsonText(item as JsonTree))}`);
      return Buffer.from(pairs.join('&') || 'event=unknown', 'utf8');
    }
    case 'json.wrong-encoding':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'json.invalid-utf8': {
      // Replace the first string's opening quote content with a lone continuation byte and an overlong sequence.
      const index = text.indexOf('":"');
      const head = Buffer.from(index >= 0 ? text.slice(0, index + 3) : '{"event":"', 'utf8');
      const tail = Buffer.from(index >= 0 ? text.slice(index + 3) : '"}', 'utf8');
      return Buffer.concat([head, Buffer.from([0x80, 0xc0, 0xaf]), tail]);
    }
  }
}

export const INVALID_BREAKS: readonly InvalidKindId[] = [...SCHEMA_BREAKS, ...JSON_BREAKS];
