/**
 * Captured webhook deliveries, read from a file in any of the shapes people keep them in:
 *
 * - a JSON file holding one body (`{"event": ..., "payload": ...}`), or a JSON array of bodies or records;
 * - NDJSON: one body or one record per line;
 * - records: `{"headers": {...}, "body": "<the raw body text>"}` (or `"bodyBase64"` for bytes that are not UTF-8),
 *   with an optional `"receivedAt"` (ISO 8601 or epoch milliseconds): the headers as received, the body exactly
 *   as received (so its signature can be verified over the same bytes). Lines of `conformance generate` are
 *   records too;
 * - raw HTTP request dumps: `POST /path HTTP/1.1`, header lines, a blank line, the body (as long as its
 *   Content-Length, chunked bodies decoded; without either, the rest of the file); several requests may follow
 *   each other.
 *
 * A body is told from a record by its `payload`: every Zoom delivery has one, a record has `body` and none.
 * What cannot be read as any of these is a CaptureError (one line naming the file and the place).
 */

export interface CapturedDelivery {
  /** Where it came from: `file`, `file:line` (NDJSON), `file#n` (n-th item or request). */
  source: string;
  /** The raw body: its bytes, or the text whose UTF-8 encoding they are (kept as text, saving a copy per delivery). */
  body: Buffer | string;
  /** Header names in lower case; absent when the capture holds the body only. */
  headers?: Record<string, string>;
  /** When it was received (epoch milliseconds), if the capture says. */
  receivedAt?: number;
  /** The body's value, when reading the capture already parsed it exactly (parseExactJson). */
  parsed?: unknown;
}

export class CaptureError extends Error {
  override name = 'CaptureError';
}

import { toJsonText, type JsonTree } from '../generators/json-text.js';
import { parseExactJson } from '../specs/exact-json.js';

const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/\d(?:\.\d)?\r?\n/;

export function readCaptures(file: string, bytes: Buffer): CapturedDelivery[] {
  return [...eachCapture(file, bytes)];
}

/** The deliveries of a capture file, one at a time (an NDJSON file of any size is never held parsed at once). */
export function* eachCapture(file: string, bytes: Buffer): Generator<CapturedDelivery> {
  const text = bytes.toString('utf8');
  const start = text.search(/\S/);
  if (start < 0) throw new CaptureError(`${file}: empty (no delivery in it)`);
  if (REQUEST_LINE.test(text.slice(start, start + 2048))) {
    yield* httpRequests(file, bytes);
    return;
  }
  const trimmed = text.trim();
  let whole: unknown;
  let wholeParsed = false;
  try {
    whole = parseExactJson(trimmed);
    wholeParsed = true;
  } catch {
    // not one JSON value: NDJSON, below
  }
  if (wholeParsed) {
    if (Array.isArray(whole)) {
      // Items of an array have no raw text of their own: each body is written back as JSON text (exactly).
      for (const [index, item] of whole.entries()) yield fromValue(item, `${file}#${index + 1}`, undefined);
    } else {
      yield fromValue(whole, file, trimmed);
    }
    return;
  }
  let offset = 0;
  let lineNumber = 0;
  while (offset < text.length) {
    let end = text.indexOf('\n', offset);
    if (end < 0) end = text.length;
    lineNumber++;
    let lineText = text.slice(offset, end);
    offset = end + 1;
    if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
    if (lineText.trim() === '') continue;
    let value: unknown;
    try {
      value = parseExactJson(lineText);
    } catch (error) {
      throw new CaptureError(
        `${file}:${lineNumber}: not JSON (${(error as Error).message.split('\n')[0]}); expected one JSON body or record per line, a JSON file, or an HTTP request dump`,
      );
    }
    yield fromValue(value, `${file}:${lineNumber}`, lineText);
  }
}

/** A parsed JSON value: a record, or a body whose raw text is `raw` (undefined: written back from the value). */
function fromValue(value: unknown, source: string, raw: string | undefined): CapturedDelivery {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CaptureError(`${source}: neither a delivery body (an object with "event" and "payload") nor a record ({"headers", "body"})`);
  }
  const object = value as Record<string, unknown>;
  const isRecord = (typeof object.body === 'string' || typeof object.bodyBase64 === 'string') && !('payload' in object);
  if (!isRecord) {
    if ('body' in object && !('payload' in object)) {
      throw new CaptureError(`${source}: a record's "body" must be the raw body text (a JSON string), or give "bodyBase64"`);
    }
    return { source, body: raw ?? toJsonText(value as JsonTree), parsed: value };
  }
  const body = typeof object.body === 'string' ? object.body : Buffer.from(object.bodyBase64 as string, 'base64');
  const delivery: CapturedDelivery = { source, body };
  if (object.headers !== undefined) delivery.headers = headersOf(object.headers, source);
  if (object.receivedAt !== undefined) delivery.receivedAt = timeOf(object.receivedAt, source);
  return delivery;
}

function headersOf(value: unknown, source: string): Record<string, string> {
  if (value === null || typeof value !== 'object') throw new CaptureError(`${source}: "headers" must be an object of header names and values`);
  const headers: Record<string, string> = {};
  // Arrays of [name, value] pairs (a raw header list) and objects both occur.
  const entries = Array.isArray(value) ? value.map((pair) => (Array.isArray(pair) ? [pair[0], pair[1]] : [undefined, undefined])) : Object.entries(value);
  for (const [name, raw] of entries) {
    if (typeof name !== 'string') throw new CaptureError(`${source}: "headers" must be an object of header names and values`);
    const text = Array.isArray(raw) ? raw.map(String).join(', ') : raw === undefined || raw === null ? '' : String(raw);
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

function timeOf(value: unknown, source: string): number {
  const time = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(time)) throw new CaptureError(`${source}: "receivedAt" must be an ISO 8601 time or epoch milliseconds`);
  return time;
}

/** One or more raw HTTP requests, one after another. */
function httpRequests(file: string, bytes: Buffer): CapturedDelivery[] {
  const deliveries: CapturedDelivery[] = [];
  let offset = 0;
  for (let index = 1; ; index++) {
    while (offset < bytes.length && (bytes[offset] === 0x0a || bytes[offset] === 0x0d || bytes[offset] === 0x20)) offset++;
    if (offset >= bytes.length) break;
    const source = `${file}#${index}`;
    const headEnd = findHeadEnd(bytes, offset);
    if (!headEnd) throw new CaptureError(`${source}: an HTTP request without the blank line that ends its headers`);
    const head = bytes.subarray(offset, headEnd.at).toString('latin1');
    const [requestLine, ...lines] = head.split(/\r?\n/);
    if (!REQUEST_LINE.test(`${requestLine}\n`)) throw new CaptureError(`${source}: not an HTTP request line: ${JSON.stringify(requestLine?.slice(0, 80))}`);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new CaptureError(`${source}: not an HTTP header line: ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    let bodyStart = headEnd.at + headEnd.length;
    let body: Buffer;
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
      const chunked = dechunk(bytes, bodyStart, source);
      body = chunked.body;
      offset = chunked.end;
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (!Number.isInteger(length) || length < 0) throw new CaptureError(`${source}: Content-Length ${JSON.stringify(headers['content-length'])} is not a length`);
      if (bodyStart + length > bytes.length) throw new CaptureError(`${source}: the body is shorter than its Content-Length (${bytes.length - bodyStart} of ${length} bytes)`);
      body = bytes.subarray(bodyStart, bodyStart + length);
      offset = bodyStart + length;
    } else {
      // No length: the body runs to the next request line, or to the end of the file.
      const next = nextRequestLine(bytes, bodyStart);
      let end = next ?? bytes.length;
      while (end > bodyStart && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
      body = bytes.subarray(bodyStart, end);
      offset = next ?? bytes.length;
      bodyStart = end;
    }
    const delivery: CapturedDelivery = { source, body: Buffer.from(body), headers };
    const date = headers.date === undefined ? Number.NaN : Date.parse(headers.date);
    if (Number.isFinite(date)) delivery.receivedAt = date;
    deliveries.push(delivery);
  }
  return deliveries;
}

function findHeadEnd(bytes: Buffer, from: number): { at: number; length: number } | undefined {
  const crlf = bytes.indexOf('\r\n\r\n', from, 'latin1');
  const lf = bytes.indexOf('\n\n', from, 'latin1');
  if (crlf < 0 && lf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  return { at: lf, length: 2 };
}

function nextRequestLine(bytes: Buffer, from: number): number | undefined {
  let position = from;
  for (;;) {
    const newline = bytes.indexOf(0x0a, position);
    if (newline < 0) return undefined;
    const lineStart = newline + 1;
    if (REQUEST_LINE.test(bytes.subarray(lineStart, lineStart + 2048).toString('latin1'))) return lineStart;
    position = lineStart;
  }
}

function dechunk(bytes: Buffer, from: number, source: string): { body: Buffer; end: number } {
  const parts: Buffer[] = [];
  let position = from;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', position, 'latin1');
    if (lineEnd < 0) throw new CaptureError(`${source}: a chunked body cut short`);
    const size = Number.parseInt(bytes.subarray(position, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw new CaptureError(`${source}: a chunk size that is not hexadecimal`);
    position = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = bytes.indexOf('\r\n', position, 'latin1');
      return { body: Buffer.concat(parts), end: trailerEnd < 0 ? bytes.length : trailerEnd + 2 };
    }
    if (position + size > bytes.length) throw new CaptureError(`${source}: a chunked body cut short`);
    parts.push(bytes.subarray(position, position + size));
    position += size + 2;
  }
}
