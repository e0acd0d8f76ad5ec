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

/** The escape options under which every non-ASCII code unit is escaped (`asciiEscaped`'s). */
type EscapingUnicode = Exclude<NonNullable<JsonTextOptions['escapeUnicode']>, 'none'>;

/**
 * What each ASCII character (0 to 0x7f) is written as when non-ASCII is escaped: itself, or its escape. Built once per
 * options.
 */
const ASCII_TABLES = new Map<string, readonly string[]>();
function asciiTable(unicode: EscapingUnicode, escapeSlash: boolean): readonly string[] {
  const key = `${unicode}${escapeSlash ? '/' : ''}`;
  let table = ASCII_TABLES.get(key);
  if (!table) {
    table = Array.from({ length: 0x80 }, (_, code) => {
      const char = String.fromCharCode(code);
      const short = SHORT_ESCAPES[char];
      if (short) return short;
      if (code < 0x20) return hex4(code);
      if (char === '/' && escapeSlash) return '\\/';
      if (code > 0x7e) return hex4(code);
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
  if (unicode !== 'none') return asciiEscaped(value, asciiTable(unicode, options.escapeSlash === true));
  // JSON.stringify writes the canonical escapes (and escapes lone surrogates, ES2019). With `\/`, only `/` and
  // surrogate pairs (which the escaping writer writes as two `\uXXXX`, like every surrogate) are written otherwise.
  if (!options.escapeSlash) return JSON.stringify(value);
  return JSON.stringify(value).replace(SLASH_OR_PAIR, (match) => (match === '/' ? '\\/' : hex4(match.charCodeAt(0)) + hex4(match.charCodeAt(1))));
}

const SLASH_OR_PAIR = /\/|[\ud800-\udbff][\udc00-\udfff]/g;

/** Lowercase hex digits, as character codes. */
const HEX_DIGITS = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));
/** Where `asciiEscaped` writes, reused from call to call (grown up to SCRATCH_MAX; a longer literal gets its own). */
let scratch = Buffer.allocUnsafeSlow(1024);
const SCRATCH_MAX = 1 << 20;

/**
 * `jsonString` when every non-ASCII code unit is escaped: the literal is ASCII, so it is written byte by byte into a
 * reused buffer and read back once (one concatenation per escaped character was most of an encoded body's cost).
 */
function asciiEscaped(value: string, table: readonly string[]): string {
  const most = value.length * 6 + 2;
  if (most > SCRATCH_MAX) return asciiEscapedInto(Buffer.allocUnsafeSlow(most), value, table);
  if (scratch.length < most) scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX, Math.max(most, scratch.length * 2)));
  return asciiEscapedInto(scratch, value, table);
}

function asciiEscapedInto(out: Buffer, value: string, table: readonly string[]): string {
  let at = 0;
  out[at++] = 0x22;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x80) {
      const escaped = table[code]!;
      if (escaped.length === 1) out[at++] = code;
      else for (let part = 0; part < escaped.length; part++) out[at++] = escaped.charCodeAt(part);
    } else {
      out[at++] = 0x5c;
      out[at++] = 0x75;
      out[at++] = HEX_DIGITS[code >> 12]!;
      out[at++] = HEX_DIGITS[(code >> 8) & 15]!;
      out[at++] = HEX_DIGITS[(code >> 4) & 15]!;
      out[at++] = HEX_DIGITS[code & 15]!;
    }
  }
  out[at++] = 0x22;
  return out.toString('latin1', 0, at);
}

/** Writes the tree as JSON text. Numbers use JavaScript's shortest round-trip form; bigints are written exactly. */
export function toJsonText(tree: JsonTree, options: JsonTextOptions = {}): string {
  const simple = !options.indent && !options.padding && (options.escapeUnicode ?? 'none') === 'none' && !options.escapeSlash && !options.keyOrder;
  if (simple && !containsBigInt(tree)) return JSON.stringify(tree);
  const out: string[] = [];
  write(tree, options, '', out);
  return out.join('');
}

/**
 * Writes the tree's text into `out`, piece by piece, joined once by the caller: pieces joined level by level would copy
 * a deep string once per level above it (a long escaped string in an encoded body was most of its cost).
 */
function write(tree: JsonTree, options: JsonTextOptions, depth: string, out: string[]): void {
  if (tree === null) {
    out.push('null');
    return;
  }
  switch (typeof tree) {
    case 'boolean':
      out.push(tree ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(tree)) throw new Error(`not a JSON number: ${tree}`);
      out.push(JSON.stringify(tree));
      return;
    case 'bigint':
      out.push(tree.toString());
      return;
    case 'string':
      out.push(jsonString(tree, options));
      return;
  }
  const pad = options.padding ?? '';
  const inner = options.indent ? depth + options.indent : '';
  const newline = options.indent ? `\n${inner}` : '';
  const close = options.indent ? `\n${depth}` : '';
  const colon = options.indent ? ': ' : ':';
  if (Array.isArray(tree)) {
    if (tree.length === 0) {
      out.push(`[${pad}]`);
      return;
    }
    out.push(`[${newline}`);
    for (let index = 0; index < tree.length; index++) {
      out.push(index === 0 ? pad : `${pad},${newline}${pad}`);
      write(tree[index]!, options, inner, out);
    }
    out.push(`${pad}${close}]`);
    return;
  }
  const keys = Object.keys(tree);
  if (keys.length === 0) {
    out.push(`{${pad}}`);
    return;
  }
  const ordered = options.keyOrder ? options.keyOrder(keys) : keys;
  out.push(`{${newline}`);
  for (let index = 0; index < ordered.length; index++) {
    const key = ordered[index]!;
    out.push(`${index === 0 ? pad : `${pad},${newline}${pad}`}${jsonString(key, options)}${pad}${colon}${pad}`);
    write(tree[key] as JsonTree, options, inner, out);
  }
  out.push(`${pad}${close}}`);
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
