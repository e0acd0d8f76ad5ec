/**
 * Writes JSON text exactly, in the byte encodings a receiver may meet.
 *
 * `JSON.stringify` cannot write an integer beyond 2^53 exactly, and always writes one canonical form. Deliveries
 * need both: int64 boundary values written digit for digit (values are `bigint` in the tree), and different
 * texts of the same JSON value (insignificant whitespace, `\uXXXX` escapes, escaped `/`, another key order) that
 * catch receivers which verify signatures over re-serialized JSON instead of the raw bytes.
 */

export type JsonTree = null | boolean | number | bigint | string | JsonTree[] | { [key: string]: JsonTree };

export interface JsonTextOptions {
  /** Indentation (as JSON.stringify's `space`); also puts a space after `:`. Default: compact. */
  indent?: string;
  /** Extra insignificant whitespace around tokens (`" "` or `"\n"`), for the whitespace encoding. */
  padding?: string;
  /** Escape non-ASCII characters as `\uXXXX` (`non-ascii`), or every letter too (`all`). Default: none. */
  escapeUnicode?: 'none' | 'non-ascii' | 'all';
  /** Write `/` as `\/`. */
  escapeSlash?: boolean;
  /** Reorder object keys (for the key-order encoding). Called with each object's keys in insertion order. */
  keyOrder?: (keys: string[]) => string[];
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** `\uXXXX` (lowercase hex, as JSON.stringify writes it) of each UTF-16 code unit, made once when first asked for. */
const HEX4: string[] = [];
function hex4(code: number): string {
  return (HEX4[code] ??= `\\u${code.toString(16).padStart(4, '0')}`);
}

type UnicodeEscapes = NonNullable<JsonTextOptions['escapeUnicode']>;

/** What each ASCII character (0 to 0x7f) is written as, per escape options: itself, or its escape. Built once per options. */
const ASCII_TABLES = new Map<string, readonly string[]>();
function asciiTable(unicode: UnicodeEscapes, escapeSlash: boolean): readonly string[] {
  const key = `${unicode}${escapeSlash ? '/' : ''}`;
  let table = ASCII_TABLES.get(key);
  if (!table) {
    table = Array.from({ length: 0x80 }, (_, code) => {
      const char = String.fromCharCode(code);
      const short = SHORT_ESCAPES[char];
      if (short) return short;
      if (code < 0x20) return hex4(code);
      if (char === '/' && escapeSlash) return '\\/';
      if (code > 0x7e && unicode !== 'none') return hex4(code);
      if (unicode === 'all' && /[A-Za-z]/.test(char)) return hex4(code);
      return char;
    });
    ASCII_TABLES.set(key, table);
  }
  return table;
}

/** A JSON string literal for `value`, with the requested escapes. Lone surrogates are escaped, never written raw. */
export function jsonString(value: string, options: JsonTextOptions = {}): string {
  const unicode = options.escapeUnicode ?? 'none';
  if (unicode === 'none' && !options.escapeSlash) {
    // Fast path: JSON.stringify already writes the canonical escapes (and escapes lone surrogates, ES2019).
    return JSON.stringify(value);
  }
  // Every surrogate (paired or not) is escaped; other non-ASCII only when asked; ASCII per the table. Runs of
  // characters written as they are are copied whole.
  const table = asciiTable(unicode, options.escapeSlash === true);
  let out = '"';
  let start = 0;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    let escaped: string;
    if (code < 0x80) {
      escaped = table[code]!;
      if (escaped.length === 1) continue;
    } else if ((code >= 0xd800 && code <= 0xdfff) || unicode !== 'none') escaped = hex4(code);
    else continue;
    out += value.slice(start, index) + escaped;
    start = index + 1;
  }
  return `${out}${value.slice(start)}"`;
}

/** Writes the tree as JSON text. Numbers use JavaScript's shortest round-trip form; bigints are written exactly. */
export function toJsonText(tree: JsonTree, options: JsonTextOptions = {}): string {
  const simple = !options.indent && !options.padding && (options.escapeUnicode ?? 'none') === 'none' && !options.escapeSlash && !options.keyOrder;
  if (simple && !containsBigInt(tree)) return JSON.stringify(tree);
  return write(tree, options, '');
}

function write(tree: JsonTree, options: JsonTextOptions, depth: string): string {
  if (tree === null) return 'null';
  switch (typeof tree) {
    case 'boolean':
      return tree ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(tree)) throw new Error(`not a JSON number: ${tree}`);
      return JSON.stringify(tree);
    case 'bigint':
      return tree.toString();
    case 'string':
      return jsonString(tree, options);
  }
  const pad = options.padding ?? '';
  const inner = options.indent ? depth + options.indent : '';
  const newline = options.indent ? `\n${inner}` : '';
  const close = options.indent ? `\n${depth}` : '';
  const colon = options.indent ? ': ' : ':';
  if (Array.isArray(tree)) {
    if (tree.length === 0) return `[${pad}]`;
    const items = tree.map((item) => `${pad}${write(item, options, inner)}${pad}`);
    return `[${newline}${items.join(`,${newline}`)}${close}]`;
  }
  const keys = Object.keys(tree);
  if (keys.length === 0) return `{${pad}}`;
  const ordered = options.keyOrder ? options.keyOrder(keys) : keys;
  const members = ordered.map(
    (key) => `${pad}${jsonString(key, options)}${pad}${colon}${pad}${write(tree[key] as JsonTree, options, inner)}${pad}`,
  );
  return `{${newline}${members.join(`,${newline}`)}${close}}`;
}

export function containsBigInt(tree: JsonTree): boolean {
  if (typeof tree === 'bigint') return true;
  if (tree === null || typeof tree !== 'object') return false;
  if (Array.isArray(tree)) return tree.some(containsBigInt);
  for (const key in tree) if (containsBigInt(tree[key] as JsonTree)) return true;
  return false;
}

/**
 * The compact text of `tree` around the value at `path` (object keys and array indexes): what is written before it
 * and after it, so that `before + toJsonText(other) + after` is the compact text of the tree with `other` in that
 * place. A body grown to a megabyte around one array is then written without serializing the megabyte again.
 */
export function textAround(tree: JsonTree, path: readonly (string | number)[]): { before: string; after: string } {
  if (path.length === 0) return { before: '', after: '' };
  const [part, ...rest] = path;
  let before: string;
  let after: string;
  let inner: { before: string; after: string };
  if (Array.isArray(tree)) {
    const index = Number(part);
    inner = textAround(tree[index]!, rest);
    before = `[${tree.slice(0, index).map((item) => `${toJsonText(item)},`).join('')}`;
    after = `${tree.slice(index + 1).map((item) => `,${toJsonText(item)}`).join('')}]`;
  } else if (tree !== null && typeof tree === 'object') {
    const keys = Object.keys(tree);
    const at = keys.indexOf(String(part));
    if (at < 0) throw new Error(`internal: no ${String(part)} in the tree`);
    const member = (key: string) => `${JSON.stringify(key)}:${toJsonText(tree[key] as JsonTree)}`;
    inner = textAround(tree[keys[at]!] as JsonTree, rest);
    before = `{${keys.slice(0, at).map((key) => `${member(key)},`).join('')}${JSON.stringify(keys[at])}:`;
    after = `${keys.slice(at + 1).map((key) => `,${member(key)}`).join('')}}`;
  } else throw new Error(`internal: ${String(part)} below a scalar`);
  return { before: before + inner.before, after: inner.after + after };
}
