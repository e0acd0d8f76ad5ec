import fc from 'fast-check';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { encode, encodingArbitrary } from '../generators/encodings.js';
import { jsonString, toJsonText, type JsonTree } from '../generators/json-text.js';

const tree: fc.Arbitrary<JsonTree> = fc.letrec<{ node: JsonTree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
    fc.string({ unit: 'binary' }),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('node'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).node;

describe('JSON text writer', () => {
  it('compact output is byte-identical to JSON.stringify', () => {
    fc.assert(fc.property(tree, (value) => toJsonText(value) === JSON.stringify(value)), { numRuns: 300 });
  });

  it('every encoding parses back to the same value, and differs from the compact bytes', () => {
    fc.assert(
      fc.property(
        tree.filter((value) => value !== null && typeof value === 'object' && Object.keys(value).length > 0),
        encodingArbitrary(),
        (value, encoding) => {
          const { text, edges } = encode(value, encoding);
          expect(JSON.parse(text)).toEqual(value);
          expect(text).not.toBe(JSON.stringify(value));
          expect(edges.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes int64 boundaries digit for digit, which JSON.stringify cannot', () => {
    const value = { max: 9223372036854775807n, min: -9223372036854775808n, above: 9007199254740993n, safe: 9007199254740991 };
    const text = toJsonText(value);
    expect(text).toBe('{"max":9223372036854775807,"min":-9223372036854775808,"above":9007199254740993,"safe":9007199254740991}');
    expect(stringifyLossless(parseLossless(text))).toBe(text);
  });

  it('escapes as asked: control characters, lone surrogates, slashes and letters', () => {
    expect(jsonString('a/\u0000\u001f\ud800é😀', { escapeSlash: true, escapeUnicode: 'non-ascii' })).toBe('"a\\/\\u0000\\u001f\\ud800\\u00e9\\ud83d\\ude00"');
    expect(jsonString('ab', { escapeUnicode: 'all' })).toBe('"\\u0061\\u0062"');
    expect(JSON.parse(jsonString('x\ud800y', { escapeUnicode: 'all' }))).toBe('x\ud800y');
  });

  it('whitespace, key order and escapes really change the bytes', () => {
    const value = { b: 'https://zoom.us/a', a: 'é' };
    expect(encode(value, { whitespace: 'spaces', unicodeEscapes: false, escapedSlash: false, keyOrder: 'as-is' }).text).toBe('{ "b" : "https://zoom.us/a" , "a" : "é" }');
    expect(encode(value, { whitespace: 'none', unicodeEscapes: false, escapedSlash: true, keyOrder: 'sorted' }).text).toBe('{"a":"é","b":"https:\\/\\/zoom.us\\/a"}');
  });

  it('an encoding with nothing to change falls back to whitespace', () => {
    const { text, edges } = encode({ a: 1 }, { whitespace: 'none', unicodeEscapes: false, escapedSlash: true, keyOrder: 'reversed' });
    expect(edges).toEqual(['encoding.whitespace']);
    expect(text).not.toBe('{"a":1}');
    expect(JSON.parse(text)).toEqual({ a: 1 });
  });
});
