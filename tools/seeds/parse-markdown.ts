/**
 * Parser for the flattened-Markdown rendering (seed 001, Video SDK REST API v2).
 *
 * The rendering is Markdown whose list indentation has been lost: every field of every nested object is a
 * bullet `- **`name`** `type`, annotations — description` on one long line, so nesting must be recovered.
 * This module reads the document in four layers:
 *
 * 1. Sections: `# Title - **OpenAPI Version:** ... - **API Version:** ...`, `## Servers`, `## Operations`,
 *    one `### Summary - **Method:** ... - **Path:** ... - **Tags:** ...` per operation, then
 *    `#### Request Body` / `##### Content-Type:` and `#### Responses` / `##### Status: NNN` /
 *    `###### Content-Type:`. Each body is followed by `**Example:** ```json ... ````.
 * 2. Body tokens: field bullets (`-` or `*`), and the markers `**Array of:**`, `**All of:**`, `**Items:**`
 *    (optionally followed by a scalar type), `**Any of:**`, `**One of:**`.
 * 3. Nesting recovery (see `placeField`): each field is placed into one of the currently open objects
 *    (a stack). Evidence, in order:
 *      a. the body's JSON example: the open objects whose example counterpart contains the key;
 *      b. the ordering rule: within one object (one `All of` part), children are listed required first,
 *         then optional, each group sorted by name; a field that would break the order of an open
 *         object's children cannot belong to it. A new `All of` part (an `**All of:**` marker that does
 *         not directly open an object, or a `*` bullet, which the renderer uses to start a new list)
 *         restarts the order, for the `All of`-composed objects only.
 *    When (a) names exactly one object, it wins. Otherwise (b) filters; when several objects remain, the
 *    innermost one is taken and the case is reported as ambiguous (see `parseMarkdownDetailed`).
 * 4. Query parameters (see `extractQueryParameters`): only names the text states as query parameters,
 *    plus `next_page_token`/`page_size` for paginated responses.
 *
 * Anything that does not fit these shapes throws an Error naming the operation. Prose is never copied.
 */
import type { JsonSchema, JsonType } from '../../specs/json-schema.js';
import { applyProseFacts, proseFacts } from './prose-facts.js';
import type {
  HttpMethod,
  SeedContent,
  SeedDocument,
  SeedOperation,
  SeedParameter,
  SeedResponse,
} from './model.js';

/** How one field was placed when the evidence did not decide on its own. */
export interface PlacementNote {
  /** `METHOD path` of the operation. */
  operation: string;
  /** `request` or `response NNN`. */
  body: string;
  /** Dotted path of the field as placed (`[]` marks array items), e.g. `settings.auto_recording`. */
  field: string;
  /**
   * `ambiguous`: neither the example nor the ordering rule decided; the innermost open object that the
   * ordering rule accepts was taken. `example-over-order`: the example placed the field in an object whose
   * order it breaks (the example wins).
   */
  kind: 'ambiguous' | 'example-over-order';
  /** For `ambiguous`: the other objects (dotted paths, `<root>` for the body) the field could belong to. */
  alternatives: string[];
}

export interface DetailedParse {
  document: SeedDocument;
  notes: PlacementNote[];
}

export function parseMarkdown(text: string): SeedDocument {
  return parseMarkdownDetailed(text).document;
}

export interface ParseOptions {
  /**
   * Use the JSON examples as nesting evidence (default true). With false, only the ordering rule places
   * fields; the test uses this to show where the two lines of evidence agree.
   */
  useExamples?: boolean;
}

export function parseMarkdownDetailed(text: string, options: ParseOptions = {}): DetailedParse {
  const useExamples = options.useExamples ?? true;
  const notes: PlacementNote[] = [];
  const header = /^\s*#\s+(.+?)\s+-\s+\*\*OpenAPI Version:\*\*\s+`([^`]+)`\s+-\s+\*\*API Version:\*\*\s+`([^`]+)`/.exec(text);
  if (!header) throw new Error('parse-markdown: document header (# Title - **OpenAPI Version:** - **API Version:**) not found');
  const title = header[1]!.trim();
  const openapi = header[2]!;
  const version = header[3]!;

  const serversAt = text.search(/(?<=^|\s)##\s+Servers(?=\s)/);
  const operationsAt = text.search(/(?<=^|\s)##\s+Operations(?=\s|$)/);
  if (serversAt < 0 || operationsAt < 0 || operationsAt < serversAt) {
    throw new Error('parse-markdown: expected "## Servers" followed by "## Operations"');
  }
  const servers = [...text.slice(serversAt, operationsAt).matchAll(/\*\*URL:\*\*\s+`([^`]+)`/g)].map((m) => m[1]!);
  if (servers.length === 0) throw new Error('parse-markdown: no server URL in the Servers section');

  const opsText = text.slice(operationsAt).replace(/^##\s+Operations/, '');
  const starts = [...opsText.matchAll(/(?<=^|\s)###\s(?!#)/g)].map((m) => m.index);
  if (opsText.slice(0, starts[0] ?? opsText.length).trim() !== '') {
    throw new Error('parse-markdown: unexpected text between "## Operations" and the first operation');
  }
  const raw: RawOperation[] = starts.map((start, i) => splitOperation(opsText.slice(start, starts[i + 1] ?? opsText.length)));
  const tags = delimitTags(raw);

  const operations = raw.map((op, i) => {
    try {
      return buildOperation(op, tags[i]!, notes, useExamples);
    } catch (error) {
      throw new Error(`parse-markdown: ${op.method.toUpperCase()} ${op.path} ("${op.summary}"): ${(error as Error).message}`);
    }
  });
  return { document: { title, openapi, version, servers, operations }, notes };
}

// ---------------------------------------------------------------------------------------------------------
// Sections

interface RawOperation {
  summary: string;
  method: HttpMethod;
  path: string;
  deprecated: boolean;
  /** Text after `**Tags:**` up to the request body / responses: tag names followed by the description. */
  tagText: string;
  requestText?: string;
  responsesText: string;
  /** The whole operation text, for query-parameter statements. */
  all: string;
}

const METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'patch'];

function splitOperation(opText: string): RawOperation {
  const head = /^###\s(.+?)\s+-\s+\*\*Method:\*\*\s+`([A-Za-z]+)`\s+-\s+\*\*Path:\*\*\s+`([^`]+)`((?:\s+-\s+\*\*Deprecated(?::\*\*\s+`?true`?|\*\*))?)\s+-\s+\*\*Tags:\*\*\s+/.exec(opText);
  if (!head) throw new Error(`parse-markdown: cannot read the operation heading: ${opText.slice(0, 120)}`);
  const summary = head[1]!.trim();
  const method = head[2]!.toLowerCase() as HttpMethod;
  const path = head[3]!;
  if (!METHODS.includes(method)) throw new Error(`parse-markdown: ${summary}: unsupported method ${head[2]}`);
  const rest = opText.slice(head[0].length);
  const req = /(?<=^|\s)####\s+Request Body(?=\s)/.exec(rest);
  const resp = /(?<=^|\s)####\s+Responses(?=\s)/.exec(rest);
  if (!resp) throw new Error(`parse-markdown: ${method.toUpperCase()} ${path}: no "#### Responses" section`);
  if (req && req.index > resp.index) throw new Error(`parse-markdown: ${method.toUpperCase()} ${path}: request body after responses`);
  const descEnd = req ? req.index : resp.index;
  const op: RawOperation = {
    summary,
    method,
    path,
    deprecated: head[4]!.trim() !== '',
    tagText: rest.slice(0, descEnd),
    responsesText: rest.slice(resp.index + resp[0].length),
    all: opText,
  };
  if (req) op.requestText = rest.slice(req.index + req[0].length, resp.index);
  return op;
}

/**
 * `**Tags:**` is followed directly by the description, with no delimiter. Tag names are recovered from
 * repetition: operations whose tag text starts with the same word share a tag, and the tag is the longest
 * word prefix common to all of them (the descriptions diverge right after it). A tag used by a single
 * operation, or a group whose texts never diverge, cannot be delimited and throws.
 */
function delimitTags(ops: RawOperation[]): string[] {
  const words = ops.map((op) => op.tagText.trim().split(/\s+/));
  const groups = new Map<string, number[]>();
  words.forEach((w, i) => {
    const key = w[0] ?? '';
    if (key === '') throw new Error(`parse-markdown: ${ops[i]!.method.toUpperCase()} ${ops[i]!.path}: empty **Tags:**`);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const tags: string[] = new Array<string>(ops.length);
  for (const [first, members] of groups) {
    if (members.length < 2) {
      const op = ops[members[0]!]!;
      throw new Error(`parse-markdown: ${op.method.toUpperCase()} ${op.path}: tag starting with "${first}" is used once; cannot delimit it from the description`);
    }
    let prefix = words[members[0]!]!;
    for (const i of members.slice(1)) {
      const w = words[i]!;
      let n = 0;
      while (n < prefix.length && n < w.length && prefix[n] === w[n]) n++;
      prefix = prefix.slice(0, n);
    }
    for (const i of members) {
      if (prefix.length >= words[i]!.length) {
        throw new Error(`parse-markdown: ${ops[i]!.method.toUpperCase()} ${ops[i]!.path}: tag text has no description after the tag`);
      }
      tags[i] = prefix.join(' ');
    }
  }
  return tags;
}

function buildOperation(op: RawOperation, tag: string, notes: PlacementNote[], useExamples: boolean): SeedOperation {
  const opLabel = `${op.method.toUpperCase()} ${op.path}`;
  const result: SeedOperation = { method: op.method, path: op.path, summary: op.summary, tags: [tag], responses: [] };
  if (op.deprecated) result.deprecated = true;

  if (op.requestText !== undefined) {
    const parts = splitContent(op.requestText, /(?<=^|\s)#####\s+Content-Type:\s+(\S+)/g);
    if (parts.prose.trim() !== '') throw new Error('unexpected text before the request body content type');
    if (parts.contents.length !== 1) throw new Error(`expected one request body content type, found ${parts.contents.length}`);
    result.requestBody = parseContent(parts.contents[0]!, opLabel, 'request', notes, useExamples);
  }

  const statusRe = /(?<=^|\s)#####\s+Status:\s+(\S+)/g;
  const blocks = [...op.responsesText.matchAll(statusRe)];
  if (blocks.length === 0) throw new Error('no "##### Status:" block');
  if (op.responsesText.slice(0, blocks[0]!.index).trim() !== '') throw new Error('unexpected text before the first status');
  blocks.forEach((m, i) => {
    const status = m[1]!;
    if (!/^(?:[1-5]\d\d|[1-5]XX|default)$/.test(status)) throw new Error(`unrecognised status "${status}"`);
    const body = op.responsesText.slice(m.index + m[0].length, blocks[i + 1]?.index ?? op.responsesText.length);
    const parts = splitContent(body, /(?<=^|\s)######\s+Content-Type:\s+(\S+)/g);
    const response: SeedResponse = { status };
    if (parts.contents.length > 1) throw new Error(`status ${status}: more than one content type`);
    if (parts.contents.length === 1) response.content = parseContent(parts.contents[0]!, opLabel, `response ${status}`, notes, useExamples);
    if (parts.contents.length === 0 && /\*\*Example:\*\*|(?<=^|\s)-\s\*\*`/.test(body)) {
      throw new Error(`status ${status}: fields or an example without a Content-Type`);
    }
    result.responses.push(response);
  });

  const queryParameters = extractQueryParameters(op.all, result);
  if (queryParameters.length > 0) result.queryParameters = queryParameters;
  return result;
}

interface RawContent {
  contentType: string;
  text: string;
}

function splitContent(text: string, re: RegExp): { prose: string; contents: RawContent[] } {
  const ms = [...text.matchAll(re)];
  return {
    prose: text.slice(0, ms[0]?.index ?? text.length),
    contents: ms.map((m, i) => ({ contentType: m[1]!, text: text.slice(m.index + m[0].length, ms[i + 1]?.index ?? text.length) })),
  };
}

function parseContent(raw: RawContent, opLabel: string, bodyLabel: string, notes: PlacementNote[], useExamples: boolean): SeedContent {
  const ex = /(?<=^|\s)\*\*Example:\*\*\s+```json\s([\s\S]*?)\s```/.exec(raw.text);
  let example: unknown;
  let hasExample = false;
  let schemaText = raw.text;
  if (ex) {
    if (raw.text.slice(ex.index + ex[0].length).trim() !== '') throw new Error(`${bodyLabel}: unexpected text after the example`);
    try {
      example = JSON.parse(ex[1]!);
    } catch (error) {
      throw new Error(`${bodyLabel}: example is not JSON (${(error as Error).message})`);
    }
    hasExample = true;
    schemaText = raw.text.slice(0, ex.index);
  } else if (/\*\*Example:\*\*/.test(raw.text)) {
    throw new Error(`${bodyLabel}: example is not a \`\`\`json block`);
  }
  const schema = buildBodySchema(tokenize(schemaText, bodyLabel), hasExample && useExamples ? example : undefined, opLabel, bodyLabel, notes);
  const content: SeedContent = { contentType: raw.contentType, schema };
  if (hasExample) content.example = example;
  return content;
}

// ---------------------------------------------------------------------------------------------------------
// Body tokens

type FieldType = Exclude<JsonType, 'null'>;
const FIELD_TYPES: readonly FieldType[] = ['string', 'integer', 'number', 'boolean', 'object', 'array'];

type Token =
  | { kind: 'field'; bullet: '-' | '*'; name: string; required: boolean; type: FieldType; schema: JsonSchema }
  | { kind: 'marker'; marker: 'All of' | 'Any of' | 'One of' | 'Array of' }
  | { kind: 'items'; scalar?: JsonSchema };

const TOKEN_RE =
  /(?<=^|\s)(?:([-*])\s\*\*`([^`]+)`(\s\(required\))?\*\*\s`([^`]+)`|\*\*(All of|Any of|One of|Array of|Items):\*\*)/g;

function tokenize(text: string, bodyLabel: string): Token[] {
  const ms = [...text.matchAll(TOKEN_RE)];
  if (ms.length === 0) throw new Error(`${bodyLabel}: no fields in the body`);
  if (text.slice(0, ms[0]!.index).trim() !== '') throw new Error(`${bodyLabel}: unexpected text before the first field`);
  return ms.map((m, i): Token => {
    const rest = text.slice(m.index + m[0].length, ms[i + 1]?.index ?? text.length);
    if (m[5] !== undefined) {
      if (m[5] === 'Items') {
        const scalar = /^\s*`([^`]+)`/.exec(rest);
        if (!scalar) {
          if (rest.trim() !== '') throw new Error(`${bodyLabel}: unexpected text after **Items:**: ${rest.trim().slice(0, 80)}`);
          return { kind: 'items' };
        }
        const type = fieldType(scalar[1]!, bodyLabel, 'items');
        if (type === 'object' || type === 'array') throw new Error(`${bodyLabel}: **Items:** \`${type}\` without fields`);
        return { kind: 'items', scalar: annotate(type, rest.slice(scalar[0].length), bodyLabel, 'items') };
      }
      if (rest.trim() !== '') throw new Error(`${bodyLabel}: unexpected text after **${m[5]}:**: ${rest.trim().slice(0, 80)}`);
      return { kind: 'marker', marker: m[5] as 'All of' | 'Any of' | 'One of' | 'Array of' };
    }
    const name = m[2]!;
    const type = fieldType(m[4]!, bodyLabel, name);
    return {
      kind: 'field',
      bullet: m[1] as '-' | '*',
      name,
      required: m[3] !== undefined,
      type,
      schema: annotate(type, rest, bodyLabel, name),
    };
  });
}

function fieldType(raw: string, bodyLabel: string, name: string): FieldType {
  if (!(FIELD_TYPES as readonly string[]).includes(raw)) throw new Error(`${bodyLabel}: field "${name}" has unsupported type \`${raw}\``);
  return raw as FieldType;
}

/** Numeric annotations (none occur in seed 001; any other unknown annotation throws rather than being dropped). */
const NUMERIC_ANNOTATIONS: Record<string, 'minimum' | 'maximum' | 'minLength' | 'maxLength' | 'minItems' | 'maxItems'> = {
  minimum: 'minimum',
  maximum: 'maximum',
  'min length': 'minLength',
  'max length': 'maxLength',
  'min items': 'minItems',
  'max items': 'maxItems',
};

/** Reads `, format: `x``, `, possible values: `...``, `, default: `...`` and the description after ` — `. */
function annotate(type: FieldType, rest: string, bodyLabel: string, name: string): JsonSchema {
  const schema: JsonSchema = { type };
  let s = rest;
  const known = /^,\s(format|possible values|default|minimum|maximum|min length|max length|min items|max items):\s`([^`]*)`/;
  for (;;) {
    const a = known.exec(s);
    if (!a) break;
    s = s.slice(a[0].length);
    const key = a[1]!;
    const value = a[2]!;
    if (key === 'format') schema.format = value;
    else if (key === 'possible values') schema.enum = parseValues(value, type, bodyLabel, name);
    else if (key === 'default') schema.default = parseValues(value, type, bodyLabel, name)[0];
    else {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`${bodyLabel}: field "${name}": ${key} is not a number: ${value}`);
      schema[NUMERIC_ANNOTATIONS[key]!] = n;
    }
  }
  if (/^,/.test(s)) throw new Error(`${bodyLabel}: field "${name}": unrecognised annotation ${s.slice(0, 60)}`);
  let description = '';
  const d = /^\s+—\s([\s\S]*)$/.exec(s);
  if (d) description = d[1]!;
  else if (s.trim() !== '') throw new Error(`${bodyLabel}: field "${name}": unexpected text ${s.trim().slice(0, 60)}`);
  try {
    applyProseFacts(schema, proseFacts(plain(description), type));
  } catch (error) {
    throw new Error(`${bodyLabel}: field "${name}": ${(error as Error).message}`);
  }
  return schema;
}

/** A comma-separated list of JSON scalars, as in `"a", "b"` or `0, 1` or `true`. Checked against the type. */
function parseValues(raw: string, type: FieldType, bodyLabel: string, name: string): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(`[${raw}]`);
  } catch {
    throw new Error(`${bodyLabel}: field "${name}": cannot read values ${raw}`);
  }
  const list = values as unknown[];
  for (const v of list) {
    if (jsonTypeOf(v) !== type && !(type === 'number' && jsonTypeOf(v) === 'integer')) {
      throw new Error(`${bodyLabel}: field "${name}": value ${JSON.stringify(v)} is not of type ${type}`);
    }
  }
  return list;
}

function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'object') return typeof v as JsonType;
  throw new Error(`not a JSON value: ${String(v)}`);
}

/** Markdown escapes and bold markers removed, for matching statements in prose. */
function plain(s: string): string {
  return s.replace(/\\([\\`*_{}[\]()#+\-.!:|"'&])/g, '$1').replace(/\*\*/g, '');
}

// ---------------------------------------------------------------------------------------------------------
// Nesting recovery

interface ObjBuilder {
  props: Map<string, PropBuilder>;
  required: string[];
}

interface PropBuilder {
  type: FieldType;
  /** Scalar keywords (type, format, enum, default, lengths). */
  schema: JsonSchema;
  obj?: ObjBuilder;
  items?: { obj: ObjBuilder } | { scalar: JsonSchema };
}

interface Frame {
  obj: ObjBuilder;
  /** Path from the body root: property names, `[]` for array items. */
  path: string[];
  /** The object is an `All of` composition: a new part restarts the ordering rule. */
  composed: boolean;
  /** A repeated declaration of an existing object: identical re-declarations of children are allowed. */
  merging: boolean;
  last?: { name: string; required: boolean };
}

function buildBodySchema(tokens: Token[], example: unknown, opLabel: string, bodyLabel: string, notes: PlacementNote[]): JsonSchema {
  const root: ObjBuilder = { props: new Map(), required: [] };
  let i = 0;
  let rootIsArray = false;
  if (tokens[0]?.kind === 'marker' && tokens[0].marker === 'Array of') {
    rootIsArray = true;
    i = 1;
  }
  const stack: Frame[] = [{ obj: root, path: rootIsArray ? ['[]'] : [], composed: false, merging: false }];
  /** The top frame was opened by the previous token and has no children yet. */
  let justOpened = true;
  let partStart = false;
  let pendingArray: { prop: PropBuilder; path: string[]; merging: boolean } | undefined;

  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'marker') {
      if (t.marker === 'Array of') throw new Error(`${bodyLabel}: **Array of:** inside a body is not supported`);
      if (t.marker === 'Any of' || t.marker === 'One of') {
        throw new Error(`${bodyLabel}: **${t.marker}:** alternatives cannot be delimited in the flattened rendering`);
      }
      if (pendingArray) throw new Error(`${bodyLabel}: **All of:** directly after an array field`);
      if (justOpened) stack[stack.length - 1]!.composed = true;
      else partStart = true;
      continue;
    }
    if (t.kind === 'items') {
      if (!pendingArray) throw new Error(`${bodyLabel}: **Items:** not preceded by an array field`);
      const { prop, path, merging } = pendingArray;
      pendingArray = undefined;
      if (t.scalar) {
        if (prop.items && !('scalar' in prop.items && sameJson(prop.items.scalar, t.scalar))) {
          throw new Error(`${bodyLabel}: array "${path.join('.')}" re-declared with different items`);
        }
        prop.items = { scalar: t.scalar };
        continue;
      }
      if (prop.items && !('obj' in prop.items)) throw new Error(`${bodyLabel}: array "${path.join('.')}" re-declared with different items`);
      const reuse = prop.items !== undefined;
      if (!prop.items) prop.items = { obj: { props: new Map(), required: [] } };
      stack.push({ obj: prop.items.obj, path: [...path, '[]'], composed: false, merging: merging || reuse });
      justOpened = true;
      continue;
    }

    // A field.
    pendingArray = undefined; // an array field not followed by **Items:** has no item schema
    if (t.bullet === '*') partStart = true;
    const at = placeField(stack, t, partStart, example, opLabel, bodyLabel, notes);
    stack.length = at + 1;
    const frame = stack[at]!;
    const prop = addProperty(frame, t, bodyLabel);
    frame.last = { name: t.name, required: t.required };
    partStart = false;
    justOpened = false;
    const path = [...frame.path, t.name];
    const merging = frame.merging || prop.reused;
    if (t.type === 'object') {
      if (!prop.prop.obj) prop.prop.obj = { props: new Map(), required: [] };
      stack.push({ obj: prop.prop.obj, path, composed: false, merging });
      justOpened = true;
    } else if (t.type === 'array') {
      pendingArray = { prop: prop.prop, path, merging };
    }
  }
  if (tokens[tokens.length - 1]?.kind === 'marker') throw new Error(`${bodyLabel}: body ends with a marker`);

  const rootSchema = objectSchema(root);
  return rootIsArray ? { type: 'array', items: rootSchema } : rootSchema;
}

function addProperty(frame: Frame, t: Extract<Token, { kind: 'field' }>, bodyLabel: string): { prop: PropBuilder; reused: boolean } {
  const existing = frame.obj.props.get(t.name);
  if (existing) {
    if (!frame.composed && !frame.merging) {
      throw new Error(`${bodyLabel}: field "${[...frame.path, t.name].join('.')}" declared twice in one object`);
    }
    if (existing.type !== t.type || !sameJson(existing.schema, t.schema)) {
      throw new Error(`${bodyLabel}: field "${[...frame.path, t.name].join('.')}" declared twice with different schemas`);
    }
    if (t.required && !frame.obj.required.includes(t.name)) frame.obj.required.push(t.name);
    return { prop: existing, reused: true };
  }
  const prop: PropBuilder = { type: t.type, schema: t.schema };
  frame.obj.props.set(t.name, prop);
  if (t.required) frame.obj.required.push(t.name);
  return { prop, reused: false };
}

/** Required fields first, then optional ones; each group sorted by name (UTF-16 code units). */
function orderAllows(last: { name: string; required: boolean } | undefined, field: { name: string; required: boolean }): boolean {
  if (!last) return true;
  if (last.required && !field.required) return true;
  if (!last.required && field.required) return false;
  return field.name > last.name;
}

function placeField(
  stack: Frame[],
  field: Extract<Token, { kind: 'field' }>,
  partStart: boolean,
  example: unknown,
  opLabel: string,
  bodyLabel: string,
  notes: PlacementNote[],
): number {
  const candidates = stack.map((frame, index) => ({
    index,
    frame,
    order: orderAllows(frame.last, field) || (partStart && frame.composed),
    inExample: keysAt(example, frame.path)?.has(field.name) ?? false,
  }));
  const byExample = candidates.filter((c) => c.inExample);
  const byOrder = candidates.filter((c) => c.order);
  const label = (f: Frame) => (f.path.length === 0 ? '<root>' : f.path.join('.'));
  const fieldLabel = (f: Frame) => [...f.path, field.name].join('.');

  if (byExample.length === 1) {
    const only = byExample[0]!;
    if (!only.order) notes.push({ operation: opLabel, body: bodyLabel, field: fieldLabel(only.frame), kind: 'example-over-order', alternatives: [] });
    return only.index;
  }
  const pool = byExample.length > 1 ? byExample.filter((c) => c.order) : byOrder;
  if (pool.length === 0) {
    throw new Error(
      `${bodyLabel}: field "${field.name}" fits no open object (open: ${stack.map((f) => label(f)).join(', ')}; ` +
        (byExample.length > 1 ? 'the example shows it in several, the ordering rule admits none)' : 'absent from the example, and the ordering rule admits none)'),
    );
  }
  const chosen = pool[pool.length - 1]!; // innermost
  if (pool.length > 1) {
    notes.push({
      operation: opLabel,
      body: bodyLabel,
      field: fieldLabel(chosen.frame),
      kind: 'ambiguous',
      alternatives: pool.slice(0, -1).map((c) => label(c.frame)),
    });
  }
  return chosen.index;
}

/** The union of keys of the example objects found at `path` (`[]` fans out over array elements). */
function keysAt(example: unknown, path: string[]): Set<string> | undefined {
  if (example === undefined) return undefined;
  let level: unknown[] = [example];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const v of level) {
      if (seg === '[]') {
        if (Array.isArray(v)) next.push(...(v as unknown[]));
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, seg)) {
        next.push((v as Record<string, unknown>)[seg]);
      }
    }
    level = next;
  }
  const objects = level.filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v));
  if (objects.length === 0) return undefined;
  return new Set(objects.flatMap((o) => Object.keys(o)));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function objectSchema(obj: ObjBuilder): JsonSchema {
  const schema: JsonSchema = { type: 'object' };
  if (obj.props.size > 0) {
    const properties: Record<string, JsonSchema> = {};
    for (const [name, prop] of obj.props) properties[name] = propertySchema(prop);
    schema.properties = properties;
  }
  if (obj.required.length > 0) schema.required = [...obj.required];
  return schema;
}

function propertySchema(prop: PropBuilder): JsonSchema {
  if (prop.type === 'object') {
    const o = objectSchema(prop.obj ?? { props: new Map(), required: [] });
    return { ...prop.schema, ...o };
  }
  const schema: JsonSchema = { ...prop.schema };
  if (prop.type === 'array' && prop.items) {
    schema.items = 'scalar' in prop.items ? { ...prop.items.scalar } : objectSchema(prop.items.obj);
  }
  return schema;
}

// ---------------------------------------------------------------------------------------------------------
// Query parameters

/**
 * Conservative: a name is a query parameter only when the operation's text calls it one, as in
 * "the `from` and `to` query parameters" or "the `include_fields` query parameter" (anywhere in the
 * operation, including field descriptions). Schema `{ type: 'string' }`, except that values the text
 * names for that parameter ("provide the `past` value for the `type` query parameter", "If you do not
 * provide the `type` query parameter, the API defaults to the `live` value") become its `enum` (in order of
 * mention), and the stated default its `default`. Paginated operations (a 2xx body with a top-level
 * `next_page_token`) also get `next_page_token` and `page_size`, schemas copied from the response fields of
 * the same name, in the response's order. All `required: false`.
 */
function extractQueryParameters(opText: string, op: SeedOperation): SeedParameter[] {
  const text = plain(opText).replace(/\s+/g, ' ');
  const params: SeedParameter[] = [];
  const byName = new Map<string, SeedParameter>();
  const add = (name: string, schema: JsonSchema) => {
    if (byName.has(name)) return;
    const p: SeedParameter = { name, required: false, schema };
    byName.set(name, p);
    params.push(p);
  };

  const listRe = /((?:`[A-Za-z0-9_.]+`(?:, and |, or |, | and | or )?)+) query parameters?\b/g;
  for (const m of text.matchAll(listRe)) {
    for (const n of m[1]!.matchAll(/`([A-Za-z0-9_.]+)`/g)) add(n[1]!, { type: 'string' });
  }

  const values = new Map<string, string[]>();
  const defaults = new Map<string, string>();
  const valueStatements: { at: number; param: string; value: string; isDefault: boolean }[] = [];
  for (const m of text.matchAll(/provide the `([A-Za-z0-9_.-]+)` value for the `([A-Za-z0-9_.]+)` query parameter/g)) {
    valueStatements.push({ at: m.index, param: m[2]!, value: m[1]!, isDefault: false });
  }
  for (const m of text.matchAll(/do not provide the `([A-Za-z0-9_.]+)` query parameter, the API defaults to the `([A-Za-z0-9_.-]+)` value/g)) {
    valueStatements.push({ at: m.index, param: m[1]!, value: m[2]!, isDefault: true });
  }
  valueStatements.sort((a, b) => a.at - b.at);
  for (const s of valueStatements) {
    const list = values.get(s.param) ?? [];
    if (!list.includes(s.value)) list.push(s.value);
    values.set(s.param, list);
    if (s.isDefault) {
      const prev = defaults.get(s.param);
      if (prev !== undefined && prev !== s.value) throw new Error(`query parameter "${s.param}": two different defaults`);
      defaults.set(s.param, s.value);
    }
  }
  for (const [name, list] of values) {
    const p = byName.get(name);
    if (!p) throw new Error(`values stated for "${name}", which is not stated as a query parameter`);
    p.schema = { type: 'string', enum: list };
    const d = defaults.get(name);
    if (d !== undefined) p.schema.default = d;
  }

  const paged = op.responses.find((r) => /^2/.test(r.status) && r.content?.schema.properties?.next_page_token !== undefined);
  if (paged) {
    const props = paged.content!.schema.properties!;
    for (const [name, schema] of Object.entries(props)) {
      if (name === 'next_page_token' || name === 'page_size') add(name, { ...schema });
    }
    if (props.page_size === undefined) throw new Error('paginated response without page_size');
  }
  return params;
}
