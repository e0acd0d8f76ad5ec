/**
 * Lenient loading, strict reporting: the named ways real OpenAPI files bend the standard without making an event
 * or operation unreadable, and the normalisation pass that reads each of them the way its author meant.
 *
 * `normaliseDocument` rewrites a parsed document in place and returns one Deviation per place it had to read
 * leniently. It also translates OpenAPI 3.0 schemas into the JSON Schema 2020-12 the rest of the tool speaks
 * (`nullable`, boolean `exclusiveMinimum`): in a 3.0 document that is a translation, not a deviation; in a 3.1
 * document those keywords are deviations. What the pass cannot read is left for the catalog to refuse.
 */
import { isExtension, isRecord, pointerToken, walkOpenApi, type WalkContext } from './openapi-walk.js';
import { knownFormat } from './schema-validator.js';

export type DeviationKind =
  | 'response-without-description'
  | 'example-as-json-text'
  | 'nullable-keyword'
  | 'schema-example-keyword'
  | 'boolean-exclusive-bound'
  | 'unknown-format'
  | 'unknown-type'
  | 'unknown-keyword'
  | 'required-not-a-list'
  | 'invalid-pattern'
  | 'misplaced-extension'
  | 'ref-siblings'
  | 'unresolvable-ref'
  | 'openapi-schema';

export interface Deviation {
  kind: DeviationKind;
  /** JSON pointer into the file, of the place read leniently. */
  pointer: string;
  /** What was there, when the kind alone does not say (a format's name, a keyword, a message). */
  detail?: string;
}

interface KindInfo {
  /** The summary's words for one and for several (`6 responses without description`). */
  one: string;
  many: string;
  /** How it is read. */
  reading: string;
  /** The summary lists the distinct details (`unknown format \`int\``). */
  listsDetails?: boolean;
}

/** Every kind, in the order summaries list them. */
export const DEVIATION_KINDS: Readonly<Record<DeviationKind, KindInfo>> = {
  'response-without-description': {
    one: 'response without description',
    many: 'responses without description',
    reading: 'read with an empty description',
  },
  'example-as-json-text': {
    one: 'example given as JSON text',
    many: 'examples given as JSON text',
    reading: 'parsed and used as the example value',
  },
  'nullable-keyword': {
    one: '3.0 keyword `nullable`',
    many: '3.0 keywords `nullable`',
    reading: '`nullable: true` read as "null" added to the type',
  },
  'schema-example-keyword': {
    one: '3.0 keyword `example` in a schema',
    many: '3.0 keywords `example` in schemas',
    reading: 'kept as an annotation',
  },
  'boolean-exclusive-bound': {
    one: '3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`',
    many: '3.0 boolean `exclusiveMinimum`/`exclusiveMaximum`s',
    reading: 'read as the exclusive bound of minimum/maximum',
  },
  'unknown-format': { one: 'unknown format', many: 'unknown formats', reading: 'kept as an annotation (any value of the type)', listsDetails: true },
  'unknown-type': { one: 'unknown type', many: 'unknown types', reading: 'read as the JSON type it names (int: integer, ...), or as any type', listsDetails: true },
  'unknown-keyword': { one: 'unknown schema keyword', many: 'unknown schema keywords', reading: 'ignored', listsDetails: true },
  'required-not-a-list': {
    one: '`required: true|false` on a property',
    many: '`required: true|false` on properties',
    reading: "read as the property's name in its object's required list",
  },
  'invalid-pattern': {
    one: 'pattern that is not an ECMAScript regular expression',
    many: 'patterns that are not ECMAScript regular expressions',
    reading: 'ignored',
  },
  'misplaced-extension': { one: '`x-` extension where OpenAPI allows none', many: '`x-` extensions where OpenAPI allows none', reading: 'ignored' },
  'ref-siblings': {
    one: '`$ref` with sibling keywords',
    many: '`$ref`s with sibling keywords',
    reading: 'the siblings apply too, as in OpenAPI 3.1 schemas (allOf of the target and the siblings)',
  },
  'unresolvable-ref': {
    one: 'unresolvable `$ref` nothing reads',
    many: 'unresolvable `$ref`s nothing reads',
    reading: 'left unresolved (nothing read uses it)',
  },
  'openapi-schema': {
    one: 'other deviation from the OpenAPI schema',
    many: 'other deviations from the OpenAPI schema',
    reading: 'ignored (events and operations are still readable)',
    listsDetails: true,
  },
};

const ORDER = Object.keys(DEVIATION_KINDS) as DeviationKind[];

/** `7 deviations from OpenAPI 3.1 ignored: 6 responses without description, 1 unknown format \`int\`` */
export function summariseDeviations(deviations: readonly Deviation[], version: string): string {
  const counts = countByKind(deviations);
  const parts = ORDER.filter((kind) => counts.has(kind)).map((kind) => {
    const count = counts.get(kind)!;
    const info = DEVIATION_KINDS[kind];
    let text = `${count} ${count === 1 ? info.one : info.many}`;
    if (info.listsDetails) {
      const details = [...new Set(deviations.filter((deviation) => deviation.kind === kind && deviation.detail).map((deviation) => deviation.detail!))];
      const shown = details.slice(0, 3).map((detail) => (kind === 'openapi-schema' ? detail : `\`${detail}\``));
      const more = details.length > shown.length ? `, … (${details.length - shown.length} more)` : '';
      if (shown.length > 0) text += kind === 'openapi-schema' ? ` (${shown.join('; ')}${more})` : ` ${shown.join(', ')}${more}`;
    }
    return text;
  });
  const total = deviations.length;
  return `${total} ${total === 1 ? 'deviation' : 'deviations'} from OpenAPI ${version.split('.').slice(0, 2).join('.')} ignored: ${parts.join(', ')}`;
}

export function countByKind(deviations: readonly Deviation[]): Map<DeviationKind, number> {
  const counts = new Map<DeviationKind, number>();
  for (const deviation of deviations) counts.set(deviation.kind, (counts.get(deviation.kind) ?? 0) + 1);
  return counts;
}

/** JSON Schema 2020-12 and OpenAPI schema keywords; any other (not `x-`) is an unknown keyword. */
const SCHEMA_KEYWORDS = new Set([
  ...['$schema', '$id', '$ref', '$anchor', '$dynamicRef', '$dynamicAnchor', '$vocabulary', '$comment', '$defs', 'definitions'],
  ...['type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern'],
  ...['maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains', 'maxProperties', 'minProperties', 'required', 'dependentRequired'],
  ...['properties', 'patternProperties', 'additionalProperties', 'propertyNames', 'items', 'prefixItems', 'contains', 'allOf', 'anyOf', 'oneOf', 'not'],
  ...['if', 'then', 'else', 'dependentSchemas', 'unevaluatedItems', 'unevaluatedProperties', 'format', 'title', 'description', 'default', 'deprecated'],
  ...['readOnly', 'writeOnly', 'examples', 'contentEncoding', 'contentMediaType', 'contentSchema', 'discriminator', 'xml', 'externalDocs', 'example'],
]);

/** Type names real files use for JSON types. */
const TYPE_ALIASES: Record<string, string> = {
  int: 'integer',
  int32: 'integer',
  int64: 'integer',
  long: 'integer',
  float: 'number',
  double: 'number',
  decimal: 'number',
  str: 'string',
  text: 'string',
  date: 'string',
  datetime: 'string',
  'date-time': 'string',
  bool: 'boolean',
  list: 'array',
  map: 'object',
  dict: 'object',
};
/** The format a type alias implies. */
const TYPE_FORMATS: Record<string, string> = { int32: 'int32', int64: 'int64', long: 'int64', date: 'date', datetime: 'date-time', 'date-time': 'date-time', double: 'double', float: 'float' };
const JSON_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'object', 'array', 'null']);
/** Keywords that may stand beside `$ref` without changing what it means. */
const ANNOTATIONS = new Set(['description', 'summary', 'title', 'example', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment']);

/**
 * Reads a parsed OpenAPI 3.0/3.1 document leniently, in place: each deviation is rewritten into the standard form
 * and recorded. `version` is the document's `openapi` field.
 */
export function normaliseDocument(document: Record<string, unknown>, version: string): Deviation[] {
  const is31 = version.startsWith('3.1');
  const deviations: Deviation[] = [];
  const record = (kind: DeviationKind, pointer: string, detail?: string) => deviations.push({ kind, pointer, ...(detail !== undefined ? { detail } : {}) });

  // `webhooks` is a map of path items with no room for extensions: an `x-` key there is not an event.
  if (isRecord(document.webhooks)) {
    for (const key of Object.keys(document.webhooks)) {
      if (isExtension(key)) {
        record('misplaced-extension', `/webhooks/${pointerToken(key)}`);
        delete document.webhooks[key];
      }
    }
  }

  walkOpenApi(document, (node, kind, context) => {
    if (typeof node.$ref === 'string') {
      const siblings = Object.keys(node).filter((key) => key !== '$ref');
      const allowed = kind === 'schema' && is31 ? () => true : (key: string) => is31 && (key === 'summary' || key === 'description');
      if (siblings.some((key) => !allowed(key))) record('ref-siblings', context.pointer, siblings.join(', '));
    }
    switch (kind) {
      case 'response':
        if (node.$ref === undefined && typeof node.description !== 'string') {
          record('response-without-description', context.pointer);
          node.description = '';
        }
        break;
      case 'mediaType':
      case 'parameter':
      case 'header':
        parseExampleText(node, 'example', context.schema, `${context.pointer}/example`);
        break;
      case 'example':
        parseExampleText(node, 'value', context.schema, `${context.pointer}/value`);
        break;
      case 'schema':
        normaliseSchema(node, context);
        break;
      default:
        break;
    }
  });
  return deviations;

  function parseExampleText(holder: Record<string, unknown>, key: string, schema: unknown, pointer: string): void {
    const value = holder[key];
    if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return;
    if (acceptsString(dereference(document, schema))) return;
    try {
      holder[key] = JSON.parse(value);
    } catch {
      return; // not JSON after all: an odd string example, left alone
    }
    record('example-as-json-text', pointer);
  }

  function normaliseSchema(schema: Record<string, unknown>, context: WalkContext): void {
    const { pointer } = context;
    if ('nullable' in schema) {
      if (is31) record('nullable-keyword', `${pointer}/nullable`);
      const nullable = schema.nullable === true;
      delete schema.nullable;
      if (nullable) addNull(schema);
    }
    for (const [bound, limit] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (typeof schema[bound] !== 'boolean') continue;
      if (is31) record('boolean-exclusive-bound', `${pointer}/${bound}`);
      if (schema[bound] === true && typeof schema[limit] === 'number') {
        schema[bound] = schema[limit];
        delete schema[limit];
      } else {
        delete schema[bound];
      }
    }
    if ('example' in schema) {
      if (is31) record('schema-example-keyword', `${pointer}/example`);
      parseExampleText(schema, 'example', schema, `${pointer}/example`);
    }
    if (Array.isArray(schema.examples) && !acceptsString(schema)) {
      schema.examples.forEach((_, index) => parseExampleText(schema.examples as Record<string, unknown>, String(index), schema, `${pointer}/examples/${index}`));
    }
    normaliseType(schema, pointer);
    if (isRecord(schema.properties)) {
      for (const [name, property] of Object.entries(schema.properties)) {
        if (!isRecord(property) || typeof property.required !== 'boolean') continue;
        record('required-not-a-list', `${pointer}/properties/${pointerToken(name)}/required`);
        if (property.required) schema.required = [...new Set([...(Array.isArray(schema.required) ? schema.required : []), name])];
        delete property.required;
      }
    }
    if ('required' in schema && !Array.isArray(schema.required)) {
      // `required: true` on a schema that is not a property (a parameter's, an item's): nothing to lift it to.
      record('required-not-a-list', `${pointer}/required`);
      delete schema.required;
    }
    if (typeof schema.format === 'string' && !knownFormat(schema.format)) record('unknown-format', `${pointer}/format`, schema.format);
    if (typeof schema.pattern === 'string' && !isEcmaPattern(schema.pattern)) {
      record('invalid-pattern', `${pointer}/pattern`, schema.pattern);
      delete schema.pattern;
    }
    for (const key of Object.keys(schema)) {
      if (SCHEMA_KEYWORDS.has(key) || isExtension(key)) continue;
      record('unknown-keyword', `${pointer}/${pointerToken(key)}`, key);
      delete schema[key];
    }
  }

  function normaliseType(schema: Record<string, unknown>, pointer: string): void {
    const names = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
    if (names.every((name) => typeof name === 'string' && JSON_TYPES.has(name))) return;
    const read: string[] = [];
    for (const name of names) {
      if (typeof name === 'string' && JSON_TYPES.has(name)) {
        read.push(name);
        continue;
      }
      const lower = typeof name === 'string' ? name.toLowerCase() : '';
      const alias = JSON_TYPES.has(lower) ? lower : TYPE_ALIASES[lower];
      record('unknown-type', `${pointer}/type`, String(name));
      if (!alias) {
        delete schema.type; // a type nobody defines: read as any type
        return;
      }
      read.push(alias);
      const format = TYPE_FORMATS[lower];
      if (format && schema.format === undefined) schema.format = format;
    }
    const unique = [...new Set(read)];
    schema.type = unique.length === 1 ? unique[0] : unique;
  }
}

/** Adds `null` to what a schema accepts (3.0's `nullable: true`). */
function addNull(schema: Record<string, unknown>): void {
  if (typeof schema.$ref === 'string') {
    const { $ref, ...rest } = schema;
    for (const key of Object.keys(schema)) delete schema[key];
    Object.assign(schema, { anyOf: [{ $ref, ...pickAnnotations(rest, false) }, { type: 'null' }], ...pickAnnotations(rest, true) });
    return;
  }
  if (typeof schema.type === 'string') schema.type = schema.type === 'null' ? 'null' : [schema.type, 'null'];
  else if (Array.isArray(schema.type) && !schema.type.includes('null')) schema.type = [...schema.type, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
}

function pickAnnotations(schema: Record<string, unknown>, annotations: boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => ANNOTATIONS.has(key) === annotations));
}

function isEcmaPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** Whether a schema (as far as it says) accepts a string: then a string example is a string, not JSON text. */
function acceptsString(schema: unknown): boolean {
  if (!isRecord(schema)) return true;
  const type = schema.type;
  if (typeof type === 'string') return type === 'string';
  if (Array.isArray(type)) return type.includes('string');
  if (schema.properties || schema.items || schema.additionalProperties !== undefined) return false;
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    const alternatives = schema[keyword];
    if (Array.isArray(alternatives) && alternatives.length > 0) return alternatives.some((alternative) => acceptsString(alternative));
  }
  return true;
}

/** Follows local `$ref`s (a few hops) to the schema they name, without resolving the document. */
function dereference(document: Record<string, unknown>, schema: unknown): unknown {
  let current = schema;
  for (let hop = 0; hop < 8 && isRecord(current) && typeof current.$ref === 'string'; hop++) {
    current = lookupPointer(document, current.$ref);
  }
  return current;
}

/** The value at a local reference (`#/components/schemas/X`), or undefined. */
export function lookupPointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (pointer === '') return document;
  if (!pointer.startsWith('/')) return undefined;
  let current: unknown = document;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) current = /^\d+$/.test(key) ? current[Number(key)] : undefined;
    else if (isRecord(current) && Object.hasOwn(current, key)) current = current[key];
    else return undefined;
  }
  return current;
}
