/**
 * Parser for the "compressed list" rendering of Zoom's webhook documents (Meetings, QSS, RTMS).
 *
 * The rendering flattens nested HTML lists onto lines. Each field is one line:
 *
 *   name(required)type, format:x, possible values:"a", "b", default:"a"— description -
 *
 * where the name runs straight into the type (`durationinteger`), and the end of the line says what follows:
 *
 *   ` -`      (space, dash)   the next sibling follows on the next line;
 *   `-`       (no space)      an object's property list opens and its first property follows;
 *   `Items:`                  the array's item schema follows: a nameless field line (scalar items), a `-` line
 *                             (the item object's property list opens) or `Any of:` / `All of:` then a `-` line;
 *   nothing                   the field is the last of its list: a `-` line closes the list.
 *
 * A lone `-` line opens the body's top-level list, closes a nested list, or (after a nested list closed)
 * separates two siblings: in a run of k lone dashes followed by a field, k - 1 close lists and the last one
 * separates; the top-level list closes silently at the end of the body. The body ends at `Example:`, which is
 * followed by the JSON example.
 *
 * Only structure and facts are kept: names, types, formats, enums, defaults, required, nesting. Descriptions are
 * dropped, except that a description stating a length limit in characters ("maximum length of N characters")
 * gives `maxLength`, and one that starts with "Deprecated" gives `deprecated: true`. Anything the parser cannot
 * map throws an Error that names the event and the line.
 */
import type { JsonSchema, JsonType } from '../../specs/json-schema.js';
import { applyProseFacts, proseFacts } from './prose-facts.js';
import type { HttpMethod, SeedContent, SeedDocument, SeedOperation, SeedResponse } from './model.js';

const METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'patch'];
const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'object', 'array'] as const;
type FieldType = (typeof FIELD_TYPES)[number];

/** Annotation keys that may follow the type, after `, `. */
const ANNOTATION_KEYS = [
  'format',
  'possible values',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
] as const;
type AnnotationKey = (typeof ANNOTATION_KEYS)[number];
const NUMERIC_ANNOTATIONS: readonly AnnotationKey[] = ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'];

const HEAD_PATTERN = new RegExp(`^(.*?)(\\(required\\))?(${FIELD_TYPES.join('|')})((?:, .*)?)$`);
const ANNOTATION_START = new RegExp(`^, (${ANNOTATION_KEYS.join('|')}):`);
const HEADING_PATTERN = /^([A-Z]+) (\S+)$/;

class ParseError extends Error {}

interface Line {
  /** 1-based line number in the source text. */
  number: number;
  text: string;
}

/** Parses one compressed-list document into a SeedDocument. Pure: no I/O. */
export function parseCompressed(text: string): SeedDocument {
  const lines: Line[] = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line, index) => ({ number: index + 1, text: line.trimEnd() }));
  const reader = new LineReader(lines);

  const titleLine = reader.next('document title');
  const title = titleLine.text.trim();
  if (!title) fail(undefined, titleLine, 'expected the document title on the first line');
  reader.expectExact('- OpenAPI Version:');
  const openapiLine = reader.next('OpenAPI version');
  const openapiMatch = /^(\S+) - API Version:$/.exec(openapiLine.text);
  if (!openapiMatch) fail(undefined, openapiLine, 'expected "<openapi version> - API Version:"');
  const openapi = openapiMatch[1]!;
  const versionLine = reader.next('API version');
  const version = versionLine.text.trim();
  if (!/^\S+$/.test(version)) fail(undefined, versionLine, 'expected the API version');

  // Prose between the header and the "Operations" heading is not structure.
  while (!reader.done() && reader.peek()!.text !== 'Operations') reader.next('Operations heading');
  reader.expectExact('Operations');

  const operations: SeedOperation[] = [];
  while (!reader.done()) {
    if (reader.peek()!.text === '' && reader.remaining() === 1) break;
    operations.push(parseOperation(reader));
  }
  if (operations.length === 0) throw new ParseError('no operations found after the "Operations" heading');
  return { title, openapi, version, servers: [], operations };
}

function parseOperation(reader: LineReader): SeedOperation {
  const heading = reader.next('operation heading');
  const headingMatch = HEADING_PATTERN.exec(heading.text);
  if (!headingMatch) fail(undefined, heading, 'expected an operation heading "POST <event>"');
  const event = headingMatch[2]!;
  const method = headingMatch[1]!.toLowerCase() as HttpMethod;
  if (!METHODS.includes(method)) fail(event, heading, `unknown method ${headingMatch[1]}`);

  reader.expectExact('- Method:', event);
  const methodLine = reader.next('method', event);
  if (methodLine.text !== `${headingMatch[1]} - Path:`) fail(event, methodLine, `expected "${headingMatch[1]} - Path:"`);
  const pathLine = reader.next('path and tags', event);
  const pathMatch = /^(\S+) - Tags: (.+)$/.exec(pathLine.text);
  if (!pathMatch) fail(event, pathLine, 'expected "<path> - Tags: <tags>"');
  if (pathMatch[1] !== event) fail(event, pathLine, `path "${pathMatch[1]}" differs from the heading`);
  const tags = pathMatch[2]!.split(',').map((tag) => tag.trim());
  if (tags.some((tag) => !/^\S+$/.test(tag))) fail(event, pathLine, 'unreadable tag list');

  const operation: SeedOperation = { method, path: event, tags, responses: [] };

  if (reader.peek()?.text === 'Request Body') {
    reader.next('Request Body', event);
    operation.requestBody = parseContent(reader, event);
  }
  const responsesLine = reader.next('"Responses"', event);
  if (responsesLine.text !== 'Responses') fail(event, responsesLine, 'expected "Responses"');
  while (!reader.done() && reader.peek()!.text.startsWith('Status:')) {
    const statusLine = reader.next('status', event);
    const statusMatch = /^Status: (\d{3}|default)$/.exec(statusLine.text);
    if (!statusMatch) fail(event, statusLine, 'expected "Status: <code>"');
    const response: SeedResponse = { status: statusMatch[1]! };
    if (reader.peek()?.text.startsWith('Content-Type:')) response.content = parseContent(reader, event);
    operation.responses.push(response);
  }
  if (operation.responses.length === 0) fail(event, responsesLine, 'no "Status:" block under "Responses"');
  if (!reader.done() && !isHeading(reader, 0)) {
    const stray = reader.peek()!;
    if (!(stray.text === '' && reader.remaining() === 1)) fail(event, stray, 'unexpected line after the responses');
  }
  return operation;
}

/** `Content-Type:` line, the field list, and the optional `Example:` with its JSON. */
function parseContent(reader: LineReader, event: string): SeedContent {
  const typeLine = reader.next('Content-Type', event);
  const typeMatch = /^Content-Type: (\S+)$/.exec(typeLine.text);
  if (!typeMatch) fail(event, typeLine, 'expected "Content-Type: <media type>"');
  const bodyLines: Line[] = [];
  while (!reader.done() && !isContentEnd(reader)) bodyLines.push(reader.next('body', event));
  if (bodyLines.length === 0) fail(event, typeLine, 'a content type without a body');
  const content: SeedContent = { contentType: typeMatch[1]!, schema: parseBody(bodyLines, event) };
  if (reader.peek()?.text === 'Example:') {
    const exampleLine = reader.next('Example:', event);
    const jsonLines: Line[] = [];
    while (!reader.done() && !isExampleEnd(reader)) jsonLines.push(reader.next('example', event));
    const json = jsonLines.map((line) => line.text).join('\n');
    try {
      content.example = JSON.parse(json);
    } catch (error) {
      fail(event, exampleLine, `the example is not valid JSON (${(error as Error).message})`);
    }
  }
  return content;
}

function isHeading(reader: LineReader, offset: number): boolean {
  const line = reader.peek(offset);
  return line !== undefined && HEADING_PATTERN.test(line.text) && reader.peek(offset + 1)?.text === '- Method:';
}

function isContentEnd(reader: LineReader): boolean {
  const text = reader.peek()!.text;
  return text === 'Example:' || text === 'Responses' || text.startsWith('Status:') || isHeading(reader, 0);
}

function isExampleEnd(reader: LineReader): boolean {
  const text = reader.peek()!.text;
  return text === 'Responses' || /^Status: /.test(text) || isHeading(reader, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Body: tokens, then a recursive descent over lists.

type Suffix = 'sep' | 'open' | 'items' | 'none';

interface FieldToken {
  kind: 'field';
  line: Line;
  name: string;
  required: boolean;
  type: FieldType;
  annotations: string;
  description: string;
  suffix: Suffix;
}

type Token = FieldToken | { kind: 'dash' | 'anyOf' | 'allOf'; line: Line };

/** How a parsed field (with everything nested in it) ended. */
type Ending = 'sep' | 'none' | 'nested';

function parseBody(lines: Line[], event: string): JsonSchema {
  const tokens = lines.map((line) => tokenize(line, event));
  const parser = new BodyParser(tokens, event);
  return parser.parseDocument();
}

function tokenize(line: Line, event: string): Token {
  const text = line.text;
  if (text === '-') return { kind: 'dash', line };
  if (text === 'Any of:') return { kind: 'anyOf', line };
  if (text === 'All of:') return { kind: 'allOf', line };
  let rest = text;
  let suffix: Suffix;
  if (rest.endsWith('Items:')) {
    suffix = 'items';
    rest = rest.slice(0, -'Items:'.length);
  } else if (rest.endsWith(' -')) {
    suffix = 'sep';
    rest = rest.slice(0, -2);
  } else if (rest.endsWith('-')) {
    suffix = 'open';
    rest = rest.slice(0, -1);
  } else {
    suffix = 'none';
  }
  const dash = rest.indexOf('—');
  const head = dash >= 0 ? rest.slice(0, dash) : rest;
  const description = dash >= 0 ? rest.slice(dash + 1).trim() : '';
  const match = HEAD_PATTERN.exec(head);
  if (!match) fail(event, line, 'not a field line (expected "name(required)type, ...— text")');
  const name = match[1]!;
  if (name !== '' && !/^[A-Za-z0-9_]+$/.test(name)) fail(event, line, `unexpected characters in field name "${name}"`);
  return {
    kind: 'field',
    line,
    name,
    required: match[2] !== undefined,
    type: match[3] as FieldType,
    annotations: match[4]!,
    description,
    suffix,
  };
}

class BodyParser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly event: string,
  ) {}

  parseDocument(): JsonSchema {
    const first = this.tokens[0];
    if (!first || first.kind !== 'dash') this.failAt(first, 'a body starts with a lone "-" line');
    this.position = 1;
    const schema = this.parseList(true);
    const extra = this.tokens[this.position];
    if (extra) this.failAt(extra, 'unexpected line after the end of the body');
    return schema;
  }

  /** The properties of one object, from just after its opening dash to (and including) its closing dash. */
  private parseList(top: boolean): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (;;) {
      const token = this.tokens[this.position++];
      if (!token || token.kind !== 'field') this.failAt(token, 'expected a field');
      if (token.name === '') this.failAt(token, 'a property without a name');
      if (Object.hasOwn(properties, token.name)) this.failAt(token, `property "${token.name}" listed twice`);
      const [schema, ending] = this.parseField(token);
      properties[token.name] = schema;
      if (token.required) required.push(token.name);

      if (ending === 'sep') continue;
      const next = this.tokens[this.position];
      if (ending === 'none') {
        // Last field of this list: the list closes here.
        if (top) {
          if (next) this.failAt(next, 'expected the end of the body after the last top-level field');
          break;
        }
        if (!next || next.kind !== 'dash') this.failAt(next ?? token, 'expected a lone "-" closing the list');
        this.position++;
        break;
      }
      // The field's own nested list has closed. A dash followed by a field separates siblings; a dash followed
      // by anything else closes this list; the top-level list closes at the end of the body.
      if (!next) {
        if (top) break;
        this.failAt(token, 'the body ends inside a nested list');
      }
      if (next.kind !== 'dash') this.failAt(next, 'expected a lone "-" after a nested list');
      const after = this.tokens[this.position + 1];
      this.position++;
      if (after?.kind === 'field') continue;
      if (top) this.failAt(next, 'a lone "-" closing the top-level list');
      break;
    }
    return objectSchema(properties, required);
  }

  /** One field (named property or nameless array item) with everything nested in it. */
  private parseField(token: FieldToken): [JsonSchema, Ending] {
    const schema = this.scalarSchema(token);
    if (token.type === 'object') {
      if (token.suffix === 'items') this.failAt(token, '"Items:" after an object');
      if (token.suffix === 'open') return [{ ...schema, ...this.parseList(false) }, 'nested'];
      return [schema, token.suffix];
    }
    if (token.type === 'array') {
      if (token.suffix === 'open') this.failAt(token, 'a nested list opened by an array without "Items:"');
      if (token.suffix === 'items') {
        const [items, ending] = this.parseItems(token);
        return [{ ...schema, items }, ending];
      }
      return [schema, token.suffix];
    }
    if (token.suffix === 'open') this.failAt(token, `a nested list opened by a ${token.type} field`);
    if (token.suffix === 'items') this.failAt(token, `"Items:" after a ${token.type} field`);
    return [schema, token.suffix];
  }

  /** What follows `Items:`. */
  private parseItems(owner: FieldToken): [JsonSchema, Ending] {
    const token = this.tokens[this.position++];
    if (!token) this.failAt(owner, 'the body ends after "Items:"');
    if (token.kind === 'dash') return [this.parseList(false), 'nested'];
    if (token.kind === 'anyOf' || token.kind === 'allOf') {
      const open = this.tokens[this.position++];
      if (!open || open.kind !== 'dash') this.failAt(open ?? token, `expected a lone "-" after "${token.line.text}"`);
      // The rendering shows each alternative as a property list; a second alternative would be indistinguishable
      // from the siblings that follow, and none of the three documents has one.
      const part = this.parseList(false);
      return [token.kind === 'anyOf' ? { anyOf: [part] } : mergeAllOf([part]), 'nested'];
    }
    if (token.kind !== 'field' || token.name !== '') this.failAt(token, 'expected a nameless item line after "Items:"');
    return this.parseField(token);
  }

  /** type, format, enum, default, bounds and flags of one field line. */
  private scalarSchema(token: FieldToken): JsonSchema {
    const schema: JsonSchema = { type: token.type as JsonType };
    let rest = token.annotations;
    while (rest !== '') {
      const start = ANNOTATION_START.exec(rest);
      if (!start) this.failAt(token, `unreadable annotation "${rest}"`);
      const key = start[1] as AnnotationKey;
      rest = rest.slice(start[0].length);
      if (key === 'possible values') {
        const [values, remainder] = this.readValueList(token, rest);
        if (schema.enum) this.failAt(token, 'two "possible values" lists');
        schema.enum = values.map((value) => this.typedValue(token, value, 'possible value'));
        rest = remainder;
        continue;
      }
      const end = nextAnnotation(rest);
      const raw = rest.slice(0, end);
      rest = rest.slice(end);
      if (raw === '') this.failAt(token, `empty "${key}"`);
      if (key === 'format') {
        if (schema.format !== undefined) this.failAt(token, 'two formats');
        schema.format = raw;
      } else if (key === 'default') {
        const [values, remainder] = this.readValueList(token, raw);
        if (values.length !== 1 || remainder !== '') this.failAt(token, `unreadable default "${raw}"`);
        schema.default = this.typedValue(token, values[0]!, 'default');
      } else if (NUMERIC_ANNOTATIONS.includes(key)) {
        if (!/^-?\d+(\.\d+)?$/.test(raw)) this.failAt(token, `"${key}" is not a number: "${raw}"`);
        (schema as Record<string, unknown>)[key] = Number(raw);
      }
    }
    try {
      applyProseFacts(schema, proseFacts(token.description, token.type));
    } catch (error) {
      this.failAt(token, (error as Error).message);
    }
    return schema;
  }

  /**
   * Reads `"a", "b", 3` up to the next annotation (or the end). Quoted values keep their inner text verbatim
   * (they may contain commas); bare values are returned as written, marked as bare.
   */
  private readValueList(token: FieldToken, text: string): [RawValue[], string] {
    const values: RawValue[] = [];
    let rest = text;
    for (;;) {
      if (rest.startsWith('"')) {
        const close = rest.indexOf('"', 1);
        if (close < 0) this.failAt(token, `unterminated quoted value in "${text}"`);
        const value = rest.slice(1, close);
        if (value.includes('\\')) this.failAt(token, `escape sequence in quoted value "${value}"`);
        values.push({ text: value, quoted: true });
        rest = rest.slice(close + 1);
      } else {
        const end = rest.indexOf(', ');
        const value = end < 0 ? rest : rest.slice(0, end);
        if (value === '' || value.includes('"')) this.failAt(token, `unreadable value list "${text}"`);
        values.push({ text: value, quoted: false });
        rest = rest.slice(value.length);
      }
      if (rest === '' || ANNOTATION_START.test(rest)) return [values, rest];
      if (!rest.startsWith(', ')) this.failAt(token, `unreadable value list "${text}"`);
      rest = rest.slice(2);
    }
  }

  private typedValue(token: FieldToken, value: RawValue, what: string): unknown {
    switch (token.type) {
      case 'string':
        if (!value.quoted) this.failAt(token, `unquoted ${what} ${value.text} for a string field`);
        return value.text;
      case 'integer':
      case 'number': {
        const pattern = token.type === 'integer' ? /^-?\d+$/ : /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
        if (value.quoted || !pattern.test(value.text)) this.failAt(token, `${what} ${value.text} is not a ${token.type}`);
        return Number(value.text);
      }
      case 'boolean':
        if (value.quoted || (value.text !== 'true' && value.text !== 'false')) {
          this.failAt(token, `${what} ${value.text} is not a boolean`);
        }
        return value.text === 'true';
      default:
        return this.failAt(token, `a ${what} for a ${token.type} field`);
    }
  }

  private failAt(token: Token | undefined, message: string): never {
    if (!token) throw new ParseError(`event ${this.event}: ${message} (at the end of the body)`);
    return fail(this.event, token.line, message);
  }
}

interface RawValue {
  text: string;
  quoted: boolean;
}

/** Offset of the next `, <annotation key>:` in `text`, or its length. */
function nextAnnotation(text: string): number {
  for (let index = text.indexOf(', '); index >= 0; index = text.indexOf(', ', index + 1)) {
    if (ANNOTATION_START.test(text.slice(index))) return index;
  }
  return text.length;
}

function objectSchema(properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

/** Merges `All of:` parts (object schemas) into one object schema. */
function mergeAllOf(parts: JsonSchema[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const part of parts) {
    for (const [name, schema] of Object.entries(part.properties ?? {})) {
      if (Object.hasOwn(properties, name)) throw new ParseError(`"All of" parts both declare "${name}"`);
      properties[name] = schema;
    }
    for (const name of part.required ?? []) if (!required.includes(name)) required.push(name);
  }
  return objectSchema(properties, required);
}

function fail(event: string | undefined, line: Line, message: string): never {
  const where = event ? `event ${event}, line ${line.number}` : `line ${line.number}`;
  throw new ParseError(`${where}: ${message}: ${JSON.stringify(line.text.slice(0, 160))}`);
}

class LineReader {
  private position = 0;

  constructor(private readonly lines: Line[]) {}

  done(): boolean {
    return this.position >= this.lines.length;
  }

  remaining(): number {
    return this.lines.length - this.position;
  }

  peek(offset = 0): Line | undefined {
    return this.lines[this.position + offset];
  }

  next(what: string, event?: string): Line {
    const line = this.lines[this.position];
    if (!line) {
      throw new ParseError(`${event ? `event ${event}: ` : ''}the document ends where ${what} was expected`);
    }
    this.position++;
    return line;
  }

  expectExact(text: string, event?: string): Line {
    const line = this.next(`"${text}"`, event);
    if (line.text !== text) fail(event, line, `expected "${text}"`);
    return line;
  }
}
