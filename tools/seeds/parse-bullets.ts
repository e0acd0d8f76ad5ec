/**
 * Parser for the "indented bullet list" rendering of Zoom's OpenAPI documents (the Video SDK webhooks
 * document). Structure and facts only: descriptions and other prose are dropped.
 *
 * Layout of one document:
 *
 *   <title>
 *     • OpenAPI Version: 3.1.0
 *     • API Version: 1.0.0
 *   <prose>
 *   Operations
 *   POST <event>
 *     • Method: POST
 *     • Path: <event>
 *     • Tags: <tag>[, <tag>...]
 *   Request Body
 *   Content-Type: <type>
 *     • <name> [(required)]          a field; its body is indented two more columns:
 *       <type line>                  `type[, format: x][, possible values: "a", "b"][, ...] — prose`
 *       • <child>                    children of an object field, at the body's indentation
 *       Items:                       for an array field: the item schema follows at the same indentation
 *   Example:
 *   { ...JSON... }
 *   Responses
 *   Status: <code>
 *   [Content-Type: <type>, fields, Example: JSON]
 *
 * Blank lines separate everything and carry no meaning. Anything that does not fit this grammar throws an
 * Error naming the event and the 1-based line, so that nothing is guessed silently.
 *
 * The Video SDK document uses only `format` and `possible values` on type lines, `(required)` on bullets,
 * `Items:`, and "maximum length of N characters" in prose. The other constructs are read in the layout this
 * rendering would give them, but no source document shows them yet: `default` / `minimum` / `maximum` /
 * length and item limits / `pattern` on the type line, a `(deprecated)` bullet annotation, and `Any of:` /
 * `All of:` at the schema's column followed by parts that each start with a type line (`All of:` also accepts
 * bare field bullets, whose split into parts does not matter once merged; `Any of:` with bare field bullets
 * throws, because where one alternative ends would have to be guessed).
 */
import type { JsonSchema, JsonType } from '../../specs/json-schema.js';
import { applyProseFacts, proseFacts } from './prose-facts.js';
import type { HttpMethod, SeedContent, SeedDocument, SeedOperation, SeedResponse } from './model.js';

interface Line {
  /** 1-based line number in the source text. */
  no: number;
  indent: number;
  /** The line without its indentation and trailing whitespace. */
  text: string;
}

const BULLET = '•';
const TYPES: readonly JsonType[] = ['string', 'integer', 'number', 'boolean', 'object', 'array', 'null'];
/** The type-line attributes this parser understands, as the rendering spells them. */
const NUMERIC_ATTRIBUTES = {
  minimum: 'minimum',
  maximum: 'maximum',
  'exclusive minimum': 'exclusiveMinimum',
  'exclusive maximum': 'exclusiveMaximum',
  'min length': 'minLength',
  'max length': 'maxLength',
  minLength: 'minLength',
  maxLength: 'maxLength',
  'min items': 'minItems',
  'max items': 'maxItems',
  minItems: 'minItems',
  maxItems: 'maxItems',
} as const satisfies Record<string, keyof JsonSchema>;
type NumericAttribute = keyof typeof NUMERIC_ATTRIBUTES;
const ATTRIBUTE_NAMES = ['format', 'possible values', 'default', 'pattern', ...Object.keys(NUMERIC_ATTRIBUTES)];

class ParseError extends Error {}

function fail(where: string, line: Line | undefined, message: string): never {
  const at = line ? `line ${line.no}: ${message} (found "${truncate(line.text)}")` : `end of document: ${message}`;
  throw new ParseError(`${where}: ${at}`);
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function parseBullets(text: string): SeedDocument {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const lines: Line[] = [];
  raw.forEach((value, index) => {
    const trimmedEnd = value.replace(/\s+$/, '');
    if (trimmedEnd === '') return;
    const indent = trimmedEnd.length - trimmedEnd.replace(/^ +/, '').length;
    if (/^\s/.test(trimmedEnd.slice(indent))) {
      fail('document', { no: index + 1, indent, text: trimmedEnd }, 'indentation other than spaces');
    }
    lines.push({ no: index + 1, indent, text: trimmedEnd.slice(indent) });
  });
  const cursor = new Cursor(lines, raw);

  // Header: title, versions, prose up to "Operations".
  const first = cursor.peek();
  if (!first || first.indent !== 0) fail('header', first, 'expected the document title on the first line');
  const title = first.text;
  cursor.next();
  let openapi: string | undefined;
  let version: string | undefined;
  for (;;) {
    const line = cursor.peek();
    if (!line) fail('header', line, 'expected an "Operations" line');
    cursor.next();
    if (line.indent === 0 && line.text === 'Operations') break;
    const header = /^• (OpenAPI Version|API Version):\s*(\S+)$/.exec(line.text);
    if (header) {
      const [, key, value] = header as unknown as [string, string, string];
      if (key === 'OpenAPI Version') {
        if (openapi !== undefined) fail('header', line, 'OpenAPI version stated twice');
        openapi = value;
      } else {
        if (version !== undefined) fail('header', line, 'API version stated twice');
        version = value;
      }
    } else if (line.text.startsWith(`${BULLET} `)) {
      fail('header', line, 'unknown document attribute');
    } else if (/^(POST|GET|PUT|PATCH|DELETE) /.test(line.text) && line.indent === 0) {
      fail('header', line, 'operation before the "Operations" line');
    }
    // Anything else before "Operations" is introductory prose.
  }
  if (openapi === undefined) fail('header', undefined, 'no "OpenAPI Version" stated');
  if (version === undefined) fail('header', undefined, 'no "API Version" stated');

  const operations: SeedOperation[] = [];
  while (cursor.peek()) operations.push(parseOperation(cursor));
  if (operations.length === 0) fail('document', undefined, 'no operations');
  return { title, openapi, version, servers: [], operations };
}

class Cursor {
  private index = 0;
  constructor(
    private readonly lines: Line[],
    /** The source split into lines (1-based `no` indexes `raw[no - 1]`), for verbatim JSON examples. */
    readonly raw: string[],
  ) {}
  peek(): Line | undefined {
    return this.lines[this.index];
  }
  next(): Line | undefined {
    const line = this.lines[this.index];
    this.index++;
    return line;
  }
  /** Moves to the first non-blank line after source line `no`. */
  seekAfter(no: number): void {
    while (this.index < this.lines.length && this.lines[this.index]!.no <= no) this.index++;
  }
}

function parseOperation(cursor: Cursor): SeedOperation {
  const heading = cursor.next()!;
  const match = /^([A-Z]+) (\S+)$/.exec(heading.text);
  if (heading.indent !== 0 || !match) fail('operations', heading, 'expected an operation heading "POST <event>"');
  const [, verb, name] = match as unknown as [string, string, string];
  const where = name;
  const method = verb.toLowerCase() as HttpMethod;
  if (method !== 'post') fail(where, heading, `webhook events are POST, found ${verb}`);

  // Method / Path / Tags bullets.
  let tags: string[] | undefined;
  let sawMethod = false;
  let sawPath = false;
  for (let line = cursor.peek(); line && line.indent > 0 && line.text.startsWith(`${BULLET} `); line = cursor.peek()) {
    cursor.next();
    const item = /^• (Method|Path|Tags):\s*(.*)$/.exec(line.text);
    if (!item) fail(where, line, 'unknown operation attribute');
    const [, key, value] = item as unknown as [string, string, string];
    if (key === 'Method') {
      if (value !== verb) fail(where, line, `method ${value} differs from the heading's ${verb}`);
      sawMethod = true;
    } else if (key === 'Path') {
      if (value !== name) fail(where, line, `path ${value} differs from the heading's ${name}`);
      sawPath = true;
    } else {
      tags = value.split(/,\s*/).filter((tag) => tag !== '');
      if (tags.length === 0) fail(where, line, 'empty tag list');
    }
  }
  if (!sawMethod || !sawPath || !tags) fail(where, cursor.peek(), 'expected Method, Path and Tags bullets');

  let requestBody: SeedContent | undefined;
  let line = cursor.peek();
  if (line && line.indent === 0 && line.text === 'Request Body') {
    cursor.next();
    requestBody = parseContent(cursor, where);
    if (!requestBody) fail(where, cursor.peek(), 'request body without a Content-Type');
    line = cursor.peek();
  }
  const operation: SeedOperation = { method, path: name, tags, ...(requestBody ? { requestBody } : {}), responses: [] };

  if (!line || line.indent !== 0 || line.text !== 'Responses') fail(where, line, 'expected "Responses"');
  cursor.next();
  for (line = cursor.peek(); line && line.indent === 0 && line.text.startsWith('Status:'); line = cursor.peek()) {
    cursor.next();
    const status = /^Status:\s*(\S+)$/.exec(line.text)?.[1];
    if (!status || !/^(\d{3}|default|[1-5]XX)$/.test(status)) fail(where, line, 'unrecognised response status');
    if (operation.responses.some((response) => response.status === status)) fail(where, line, `status ${status} listed twice`);
    const response: SeedResponse = { status };
    const content = parseContent(cursor, where);
    if (content) response.content = content;
    operation.responses.push(response);
  }
  if (operation.responses.length === 0) fail(where, line, 'no "Status:" block under Responses');
  if (line && !(line.indent === 0 && /^[A-Z]+ \S+$/.test(line.text))) {
    fail(where, line, 'expected the next operation heading or a "Status:" line');
  }
  return operation;
}

/** `Content-Type:` line, the body's fields, then an optional `Example:`. Undefined when no Content-Type follows. */
function parseContent(cursor: Cursor, where: string): SeedContent | undefined {
  const line = cursor.peek();
  const contentType = line && line.indent === 0 ? /^Content-Type:\s*(\S+)$/.exec(line.text)?.[1] : undefined;
  if (!contentType) return undefined;
  cursor.next();
  const start = cursor.peek();
  if (!start || start.indent === 0) fail(where, start, 'expected the body schema after Content-Type');
  const schema = parseSchema(cursor, where, start.indent, 'body');
  const after = cursor.peek();
  if (after && after.indent !== 0) fail(where, after, 'unexpected indentation in the body schema');
  const content: SeedContent = { contentType, schema };
  if (after && after.text === 'Example:') {
    cursor.next();
    content.example = parseExample(cursor, where, after);
  }
  return content;
}

/** The JSON example: from its first line up to the line that closes it at column 0, parsed. */
function parseExample(cursor: Cursor, where: string, label: Line): unknown {
  const start = cursor.peek();
  if (!start || start.indent !== 0 || (start.text !== '{' && start.text !== '[' && !/^[{[].*[}\]]$/.test(start.text))) {
    fail(where, start ?? label, 'expected a JSON example after "Example:"');
  }
  const closer = start.text.startsWith('{') ? '}' : ']';
  let end = start.no;
  if (start.text.length === 1) {
    while (end < cursor.raw.length && cursor.raw[end - 1]?.trimEnd() !== closer) end++;
    if (cursor.raw[end - 1]?.trimEnd() !== closer) fail(where, start, 'JSON example never closes');
  }
  const source = cursor.raw.slice(start.no - 1, end).join('\n');
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    fail(where, start, `example is not valid JSON (${(error as Error).message})`);
  }
  cursor.seekAfter(end);
  return value;
}

/**
 * A schema whose lines sit at column `indent`: an optional type line, then (for arrays) `Items:` and the item
 * schema, or (for objects, or when no type line is given) the field bullets, or `Any of:` / `All of:` and the parts.
 */
function parseSchema(cursor: Cursor, where: string, indent: number, context: string): JsonSchema {
  let line = cursor.peek();
  if (!line || line.indent !== indent) fail(where, line, `expected the schema of ${context}`);
  let schema: JsonSchema;
  if (isBullet(line)) {
    schema = { type: 'object' };
  } else if (line.text === 'Any of:' || line.text === 'All of:') {
    schema = {};
  } else {
    cursor.next();
    schema = parseTypeLine(line, where, context);
  }

  line = cursor.peek();
  if (line && line.indent === indent && (line.text === 'Any of:' || line.text === 'All of:')) {
    cursor.next();
    const composed = parseComposition(cursor, where, indent, context, line);
    schema = mergeInto(schema, composed, where, line);
  } else if (schema.type === 'array') {
    if (line && line.indent === indent && line.text === 'Items:') {
      cursor.next();
      schema.items = parseSchema(cursor, where, indent, `the items of ${context}`);
    }
  } else if (schema.type === 'object') {
    if (line && line.indent === indent && isBullet(line)) {
      const { properties, required } = parseFields(cursor, where, indent, context);
      schema.properties = properties;
      if (required.length > 0) schema.required = required;
    }
  }
  line = cursor.peek();
  // The schema ends where the indentation drops back; anything left at this column or deeper (children of a
  // scalar, a second type line, items of a non-array) belongs to nothing this parser knows.
  if (line && line.indent >= indent) fail(where, line, `unexpected line in the schema of ${context}`);
  return schema;
}

function isBullet(line: Line): boolean {
  return line.text.startsWith(`${BULLET} `);
}

/** Field bullets at column `indent`; each field's own schema sits two columns deeper. */
function parseFields(
  cursor: Cursor,
  where: string,
  indent: number,
  context: string,
): { properties: Record<string, JsonSchema>; required: string[] } {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (let line = cursor.peek(); line && line.indent === indent && isBullet(line); line = cursor.peek()) {
    cursor.next();
    const match = /^• (\S+)(?: \(([^)]*)\))?$/.exec(line.text);
    if (!match) fail(where, line, `unrecognised field bullet in ${context}`);
    const [, name, flags] = match as unknown as [string, string, string | undefined];
    if (Object.hasOwn(properties, name)) fail(where, line, `field ${name} listed twice in ${context}`);
    let isRequired = false;
    let deprecated = false;
    for (const flag of flags === undefined ? [] : flags.split(/,\s*/)) {
      if (flag === 'required' && !isRequired) isRequired = true;
      else if (flag === 'deprecated' && !deprecated) deprecated = true;
      else fail(where, line, `unknown field annotation "(${flags})"`);
    }
    const body = cursor.peek();
    if (!body || body.indent !== indent + 2) fail(where, body ?? line, `field ${name} has no type line`);
    const schema = parseSchema(cursor, where, indent + 2, name);
    if (deprecated) schema.deprecated = true;
    properties[name] = schema;
    if (isRequired) required.push(name);
  }
  return { properties, required };
}

/**
 * `Any of:` / `All of:` parts at column `indent`. Each part starts with a type line (and may carry children);
 * for `All of:` the parts may also be bare field bullets, since merging makes their boundaries irrelevant.
 */
function parseComposition(cursor: Cursor, where: string, indent: number, context: string, label: Line): JsonSchema {
  const parts: JsonSchema[] = [];
  for (let line = cursor.peek(); line && line.indent === indent; line = cursor.peek()) {
    if (isBullet(line) && label.text === 'Any of:') {
      fail(where, line, `alternatives of ${context} given as bare fields: where one alternative ends is not stated`);
    }
    if (!isBullet(line) && !startsWithType(line.text)) break;
    parts.push(parseSchemaPart(cursor, where, indent, context));
  }
  if (parts.length === 0) fail(where, cursor.peek() ?? label, `"${label.text}" without parts in ${context}`);
  if (label.text === 'Any of:') return { anyOf: parts };
  return mergeAllOf(parts, where, label, context);
}

/** One part of a composition: a type line plus its children, or a run of bare fields. */
function parseSchemaPart(cursor: Cursor, where: string, indent: number, context: string): JsonSchema {
  const line = cursor.peek()!;
  if (isBullet(line)) {
    const { properties, required } = parseFields(cursor, where, indent, context);
    return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
  }
  cursor.next();
  const schema = parseTypeLine(line, where, context);
  const next = cursor.peek();
  if (schema.type === 'array' && next && next.indent === indent && next.text === 'Items:') {
    cursor.next();
    schema.items = parseSchema(cursor, where, indent, `the items of ${context}`);
  } else if (schema.type === 'object' && next && next.indent === indent && isBullet(next)) {
    const { properties, required } = parseFields(cursor, where, indent, context);
    schema.properties = properties;
    if (required.length > 0) schema.required = required;
  }
  return schema;
}

function mergeAllOf(parts: JsonSchema[], where: string, label: Line, context: string): JsonSchema {
  const merged: JsonSchema = { type: 'object', properties: {} };
  const required: string[] = [];
  for (const part of parts) {
    if (part.type !== 'object') fail(where, label, `"All of:" in ${context} combines a non-object part`);
    for (const key of Object.keys(part)) {
      if (key !== 'type' && key !== 'properties' && key !== 'required') {
        fail(where, label, `"All of:" in ${context} has a part with "${key}", which cannot be merged`);
      }
    }
    for (const [name, property] of Object.entries(part.properties ?? {})) {
      if (Object.hasOwn(merged.properties!, name)) fail(where, label, `"All of:" in ${context} declares ${name} twice`);
      merged.properties![name] = property;
    }
    for (const name of part.required ?? []) if (!required.includes(name)) required.push(name);
  }
  if (required.length > 0) merged.required = required;
  return merged;
}

/** Combines what the type line said with the composition that follows it. */
function mergeInto(base: JsonSchema, composed: JsonSchema, where: string, line: Line): JsonSchema {
  const keys = Object.keys(base);
  if (keys.length === 0) return composed;
  if (composed.anyOf) {
    if (keys.some((key) => key !== 'type' && key !== 'deprecated')) fail(where, line, 'type line with attributes before "Any of:"');
    return { ...base, anyOf: composed.anyOf };
  }
  if (base.type !== 'object' || keys.some((key) => key !== 'type')) fail(where, line, 'non-object type line before "All of:"');
  return composed;
}

function startsWithType(text: string): boolean {
  const word = /^[a-z]+/.exec(text)?.[0];
  return word !== undefined && (TYPES as readonly string[]).includes(word) && /^[a-z]+(,| —|$)/.test(text);
}

/** `type[, attribute: value]... [— prose]`. */
function parseTypeLine(line: Line, where: string, context: string): JsonSchema {
  if (!startsWithType(line.text)) fail(where, line, `expected a type line for ${context}`);
  const dash = line.text.indexOf(' — ');
  const head = dash >= 0 ? line.text.slice(0, dash) : line.text;
  const prose = dash >= 0 ? line.text.slice(dash + 3) : '';
  const type = /^[a-z]+/.exec(head)![0] as JsonType;
  const schema: JsonSchema = { type };
  let rest = head.slice(type.length);
  const attributePattern = new RegExp(`^, (${ATTRIBUTE_NAMES.map(escapeRegExp).join('|')}):\\s*`);
  while (rest !== '') {
    const attribute = attributePattern.exec(rest);
    if (!attribute) fail(where, line, `unrecognised type attribute "${rest}" for ${context}`);
    const key = attribute[1]!;
    rest = rest.slice(attribute[0].length);
    if (key === 'possible values') {
      if (schema.enum) fail(where, line, `possible values stated twice for ${context}`);
      const values: unknown[] = [];
      for (;;) {
        const token = /^("[^"]*"|[^,"]+)/.exec(rest);
        if (!token) fail(where, line, `unreadable possible value for ${context}`);
        values.push(typedValue(token[1]!.trim(), type, line, where, context));
        rest = rest.slice(token[0].length);
        // Another value follows unless the next item is an attribute.
        if (rest.startsWith(', ') && !attributePattern.test(rest)) {
          rest = rest.slice(2);
          continue;
        }
        break;
      }
      schema.enum = values;
    } else {
      const token = /^("[^"]*"|[^,]+)/.exec(rest);
      if (!token) fail(where, line, `attribute ${key} without a value for ${context}`);
      const value = token[1]!.trim();
      rest = rest.slice(token[0].length);
      if (key === 'format') {
        if (schema.format !== undefined) fail(where, line, `format stated twice for ${context}`);
        schema.format = value;
      } else if (key === 'default') {
        if (schema.default !== undefined) fail(where, line, `default stated twice for ${context}`);
        schema.default = typedValue(value, type, line, where, context);
      } else if (key === 'pattern') {
        schema.pattern = value.startsWith('"') ? value.slice(1, -1) : value;
      } else {
        const target = NUMERIC_ATTRIBUTES[key as NumericAttribute];
        if (!/^-?\d+(\.\d+)?$/.test(value)) fail(where, line, `${key} is not a number for ${context}`);
        if (schema[target] !== undefined) fail(where, line, `${key} stated twice for ${context}`);
        schema[target] = Number(value);
      }
    }
  }
  try {
    applyProseFacts(schema, proseFacts(prose, type));
  } catch (error) {
    fail(where, line, `${(error as Error).message} (${context})`);
  }
  return schema;
}

/** A possible value or default, typed by the field's type; quotes are stripped. */
function typedValue(token: string, type: JsonType, line: Line, where: string, context: string): unknown {
  const bare = token.length >= 2 && token.startsWith('"') && token.endsWith('"') ? token.slice(1, -1) : token;
  switch (type) {
    case 'string':
      return bare;
    case 'integer':
      if (!/^-?\d+$/.test(bare)) fail(where, line, `value ${token} is not an integer (${context})`);
      return Number(bare);
    case 'number':
      if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(bare)) fail(where, line, `value ${token} is not a number (${context})`);
      return Number(bare);
    case 'boolean':
      if (bare !== 'true' && bare !== 'false') fail(where, line, `value ${token} is not a boolean (${context})`);
      return bare === 'true';
    default:
      return fail(where, line, `values for a ${type} field cannot be typed (${context})`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
