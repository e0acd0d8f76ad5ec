import fc from 'fast-check';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { alterations, COMPACT, encode, encodingArbitrary, textOptions, type Encoding } from '../generators/encodings.js';
import { jsonString, toJsonText, type JsonTextOptions, type JsonTree } from '../generators/json-text.js';

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

  // The writers were made faster (issue 16); these hold them to the plain definitions they replaced.
  const text = fc.string({ unit: fc.oneof(fc.constantFrom('/', '"', '\\', 'é', '\u007f', '\u2028', '\ud83d\ude00', '\ud800', '\udc00', 'A', 'z', '0', ' '), fc.string({ unit: 'binary', maxLength: 1 })) });
  const escapeOptions: fc.Arbitrary<JsonTextOptions> = fc.record({ escapeUnicode: fc.constantFrom('none' as const, 'non-ascii' as const, 'all' as const), escapeSlash: fc.boolean() });

  it('string literals are escaped character for character as defined', () => {
    const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    const hex = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;
    const reference = (value: string, options: JsonTextOptions) => {
      const unicode = options.escapeUnicode ?? 'none';
      if (unicode === 'none' && !options.escapeSlash) return JSON.stringify(value);
      let out = '"';
      for (let index = 0; index < value.length; index++) {
        const char = value[index]!;
        const code = value.charCodeAt(index);
        if (SHORT[char]) out += SHORT[char];
        else if (code < 0x20) out += hex(code);
        else if (char === '/' && options.escapeSlash) out += '\\/';
        else if (code >= 0xd800 && code <= 0xdfff) out += hex(code);
        else if (code > 0x7e && unicode !== 'none') out += hex(code);
        else if (unicode === 'all' && /[A-Za-z]/.test(char)) out += hex(code);
        else out += char;
      }
      return `${out}"`;
    };
    fc.assert(fc.property(text, escapeOptions, (value, options) => jsonString(value, options) === reference(value, options)), { numRuns: 2000 });
  });

  it('trees are written as the plain nested definition writes them, in every encoding', () => {
    // The definition: each array and object joins its members' texts (the writer appends pieces to one list instead).
    const reference = (tree: JsonTree, options: JsonTextOptions, depth = ''): string => {
      if (tree === null || typeof tree !== 'object') return typeof tree === 'bigint' ? tree.toString() : typeof tree === 'string' ? jsonString(tree, options) : JSON.stringify(tree);
      const pad = options.padding ?? '';
      const inner = options.indent ? depth + options.indent : '';
      const newline = options.indent ? `\n${inner}` : '';
      const close = options.indent ? `\n${depth}` : '';
      if (Array.isArray(tree)) {
        if (tree.length === 0) return `[${pad}]`;
        return `[${newline}${tree.map((item) => `${pad}${reference(item, options, inner)}${pad}`).join(`,${newline}`)}${close}]`;
      }
      const keys = Object.keys(tree);
      if (keys.length === 0) return `{${pad}}`;
      const members = (options.keyOrder ? options.keyOrder(keys) : keys).map(
        (key) => `${pad}${jsonString(key, options)}${pad}${options.indent ? ': ' : ':'}${pad}${reference(tree[key]!, options, inner)}${pad}`,
      );
      return `{${newline}${members.join(`,${newline}`)}${close}}`;
    };
    const tree = fc.letrec<{ node: JsonTree }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.bigInt(),
        text,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(text, tie('node'), { maxKeys: 4, noNullPrototype: true }),
      ),
    })).node;
    const options: fc.Arbitrary<JsonTextOptions> = fc.record(
      {
        indent: fc.constantFrom('  ', '\t'),
        padding: fc.constantFrom(' ', '\n'),
        escapeUnicode: fc.constantFrom('none' as const, 'non-ascii' as const, 'all' as const),
        escapeSlash: fc.boolean(),
        keyOrder: fc.constantFrom((keys: string[]) => [...keys].reverse(), (keys: string[]) => [...keys].sort()),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(tree, options, (value, chosen) => toJsonText(value, chosen) === reference(value, chosen)), { numRuns: 3000 });
  });

  it('which part of an encoding changes the bytes is read off the value exactly as writing that part alone shows', () => {
    const parts: [keyof Encoding, Encoding[keyof Encoding], keyof ReturnType<typeof alterations>][] = [
      ['whitespace', 'spaces', 'padding'],
      ['whitespace', 'newlines', 'padding'],
      ['whitespace', 'indent', 'indent'],
      ['unicodeEscapes', true, 'unicodeEscapes'],
      ['escapedSlash', true, 'escapedSlash'],
      ['keyOrder', 'reversed', 'reversedKeys'],
      ['keyOrder', 'sorted', 'sortedKeys'],
    ];
    const withText: fc.Arbitrary<JsonTree> = fc.letrec<{ node: JsonTree }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        text,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.oneof(text, fc.constantFrom('1', '10', '9', 'b', 'a')), tie('node'), { maxKeys: 3, noNullPrototype: true }),
      ),
    })).node;
    fc.assert(
      fc.property(withText, (value) => {
        const found = alterations(value);
        const compact = toJsonText(value);
        for (const [field, setting, key] of parts) {
          expect(found[key], `${field}=${String(setting)} on ${JSON.stringify(value)}`).toBe(toJsonText(value, textOptions({ ...COMPACT, [field]: setting })) !== compact);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
