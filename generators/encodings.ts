/**
 * Other byte encodings of the same JSON value. Zoom signs the exact bytes it sends; a receiver that verifies the
 * signature over its own re-serialization of the parsed body fails on any of these.
 */
import fc from 'fast-check';
import type { EdgeKindId } from './edge-kinds.js';
import { toJsonText, type JsonTextOptions, type JsonTree } from './json-text.js';

export interface Encoding {
  whitespace: 'none' | 'spaces' | 'newlines' | 'indent';
  unicodeEscapes: boolean;
  escapedSlash: boolean;
  keyOrder: 'as-is' | 'reversed' | 'sorted';
}

export const COMPACT: Encoding = { whitespace: 'none', unicodeEscapes: false, escapedSlash: false, keyOrder: 'as-is' };

/** An encoding that differs from the compact one in at least one way. */
export function encodingArbitrary(): fc.Arbitrary<Encoding> {
  return fc
    .record(
      {
        whitespace: fc.constantFrom<Encoding['whitespace']>('none', 'spaces', 'newlines', 'indent'),
        unicodeEscapes: fc.boolean(),
        escapedSlash: fc.boolean(),
        keyOrder: fc.constantFrom<Encoding['keyOrder']>('as-is', 'reversed', 'sorted'),
      },
      { noNullPrototype: true },
    )
    .filter((encoding) => encoding.whitespace !== 'none' || encoding.unicodeEscapes || encoding.escapedSlash || encoding.keyOrder !== 'as-is');
}

/** The JSON text writer's options that write a value in the encoding. */
export function textOptions(encoding: Encoding): JsonTextOptions {
  return {
    ...(encoding.whitespace === 'indent' ? { indent: '  ' } : {}),
    ...(encoding.whitespace === 'spaces' ? { padding: ' ' } : encoding.whitespace === 'newlines' ? { padding: '\n' } : {}),
    ...(encoding.unicodeEscapes ? { escapeUnicode: 'all' as const } : {}),
    ...(encoding.escapedSlash ? { escapeSlash: true } : {}),
    ...(encoding.keyOrder === 'reversed' ? { keyOrder: (keys: string[]) => [...keys].reverse() } : {}),
    ...(encoding.keyOrder === 'sorted' ? { keyOrder: (keys: string[]) => [...keys].sort() } : {}),
  };
}

/**
 * Writes the value in the encoding and names the encoding edges that really changed the bytes. An encoding that
 * changes nothing for this value (no `/` to escape, no object with two keys) falls back to whitespace, so the
 * text always differs from the compact one.
 *
 * Whether one part of an encoding alone changes the bytes is read off the value in one walk (`alterations`), not
 * by writing the text once per part: the answer is the same (a test compares them), at a fifth of the cost.
 */
export function encode(value: JsonTree, encoding: Encoding): { text: string; edges: EdgeKindId[] } {
  const changes = alterations(value);
  const edges: EdgeKindId[] = [];
  if (encoding.whitespace !== 'none' && (encoding.whitespace === 'indent' ? changes.indent : changes.padding)) edges.push('encoding.whitespace');
  if (encoding.unicodeEscapes && changes.unicodeEscapes) edges.push('encoding.unicode-escapes');
  if (encoding.escapedSlash && changes.escapedSlash) edges.push('encoding.escaped-slash');
  if (encoding.keyOrder !== 'as-is' && (encoding.keyOrder === 'reversed' ? changes.reversedKeys : changes.sortedKeys)) edges.push('encoding.key-order');
  if (edges.length === 0) {
    return { text: toJsonText(value, textOptions({ ...COMPACT, whitespace: 'spaces' })), edges: ['encoding.whitespace'] };
  }
  return { text: toJsonText(value, textOptions(encoding)), edges };
}

/** Which parts of an encoding, each applied alone, write the value differently from its compact text. */
export interface Alterations {
  /** Padding around tokens (`spaces`, `newlines`): the value holds an array or an object. */
  padding: boolean;
  /** Indentation: the value holds a non-empty array or object. */
  indent: boolean;
  /** `\uXXXX` for every letter and non-ASCII character: a string or key holds one (a lone surrogate is escaped either way). */
  unicodeEscapes: boolean;
  /** `\/`: a string or key holds a `/` (or a surrogate pair, which the escaping writer writes as two `\uXXXX`). */
  escapedSlash: boolean;
  /** Keys reversed: an object has two keys or more. */
  reversedKeys: boolean;
  /** Keys sorted: an object's keys are not in sorted order. */
  sortedKeys: boolean;
}

/** Characters that JSON.stringify writes as they are and the `all` escapes write as `\uXXXX`. */
const ESCAPED_BY_ALL = /[A-Za-z\u007f-\ud7ff\ue000-\uffff]|[\ud800-\udbff][\udc00-\udfff]/;
/** Characters that JSON.stringify writes as they are and the escaping writer with `\/` alone does not. */
const ESCAPED_WITH_SLASH = /\/|[\ud800-\udbff][\udc00-\udfff]/;

export function alterations(value: JsonTree): Alterations {
  const found: Alterations = { padding: false, indent: false, unicodeEscapes: false, escapedSlash: false, reversedKeys: false, sortedKeys: false };
  const text = (string: string) => {
    if (!found.unicodeEscapes && ESCAPED_BY_ALL.test(string)) found.unicodeEscapes = true;
    if (!found.escapedSlash && ESCAPED_WITH_SLASH.test(string)) found.escapedSlash = true;
  };
  const visit = (node: JsonTree) => {
    if (typeof node === 'string') return text(node);
    if (node === null || typeof node !== 'object') return;
    found.padding = true;
    if (Array.isArray(node)) {
      if (node.length > 0) found.indent = true;
      for (const item of node) visit(item);
      return;
    }
    const keys = Object.keys(node);
    if (keys.length > 0) found.indent = true;
    if (keys.length > 1) {
      found.reversedKeys = true;
      if (!found.sortedKeys) {
        const sorted = [...keys].sort();
        if (sorted.some((key, index) => key !== keys[index])) found.sortedKeys = true;
      }
    }
    for (const key of keys) {
      text(key);
      visit(node[key] as JsonTree);
    }
  };
  visit(value);
  return found;
}
