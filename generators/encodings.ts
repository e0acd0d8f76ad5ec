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

function textOptions(encoding: Encoding): JsonTextOptions {
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
 */
export function encode(value: JsonTree, encoding: Encoding): { text: string; edges: EdgeKindId[] } {
  const compact = toJsonText(value);
  const edges: EdgeKindId[] = [];
  const parts: [keyof Encoding, EdgeKindId, boolean][] = [
    ['whitespace', 'encoding.whitespace', encoding.whitespace !== 'none'],
    ['unicodeEscapes', 'encoding.unicode-escapes', encoding.unicodeEscapes],
    ['escapedSlash', 'encoding.escaped-slash', encoding.escapedSlash],
    ['keyOrder', 'encoding.key-order', encoding.keyOrder !== 'as-is'],
  ];
  for (const [field, edge, applied] of parts) {
    if (!applied) continue;
    const alone = toJsonText(value, textOptions({ ...COMPACT, [field]: encoding[field] }));
    if (alone !== compact) edges.push(edge);
  }
  if (edges.length === 0) {
    return { text: toJsonText(value, textOptions({ ...COMPACT, whitespace: 'spaces' })), edges: ['encoding.whitespace'] };
  }
  return { text: toJsonText(value, textOptions(encoding)), edges };
}
