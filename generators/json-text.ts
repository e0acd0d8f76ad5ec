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

function hex4(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A JSON string literal for `value`, with the requested escapes. Lone surrogates are escaped, never written raw. */
export function jsonString(value: string, options: JsonTextOptions = {}): string {
  const unicode = options.escapeUnicode ?? 'none';
  if (unicode === 'none' && !options.escapeSlash) {
    // Fast path: JSON.stringify already writes the canonical escapes (and escapes lone surrogates, ES2019).
    return JSON.stringify(value);
  }
  let out = '"';
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    const code = value.charCodeAt(index);
    const short = SHORT_ESCAPES[char];
    if (short) out += short;
    else if (code < 0x20) out += hex4(code);
    else if (char === '/' && options.escapeSlash) out += '\\/';
    else if (code >= 0xd800 && code <= 0xdfff) out += hex4(code);
    else if (code > 0x7e && unicode !== 'none') out += hex4(code);
    else if (unicode === 'all' && /[A-Za-z]/.test(char)) out += hex4(code);
    else out += char;
  }
  return `${out}"`;
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
