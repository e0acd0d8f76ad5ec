/**
 * JSON text to values without losing an integer: an integer literal beyond 2^53 becomes a `bigint` with exactly
 * the digits written (never a double on the way); every other number is a JS number. Zoom's ids and timestamps can
 * pass 2^53, and a validator that rounds them checks a value nobody sent.
 *
 * Most bodies hold no literal of 16 digits or more: they go through JSON.parse (fast). The others go through
 * lossless-json with a number parser that keeps unsafe integers as bigint. Both let the last of duplicate keys win.
 */
import { isInteger, isSafeNumber, parse as parseLossless } from 'lossless-json';

/** Any run of 16 digits: the only texts in which an integer may exceed 2^53 (9007199254740992 has 16). */
const LONG_DIGITS = /\d{16}/;

export function parseExactJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  // The last of duplicate keys wins, as with JSON.parse.
  return parseLossless(text, null, { parseNumber: exactNumber, onDuplicateKey: ({ newValue }) => newValue });
}

function exactNumber(literal: string): number | bigint {
  if (isInteger(literal) && !isSafeNumber(literal)) return BigInt(literal);
  return Number.parseFloat(literal);
}
