/** A request as a copy-paste `curl` command (bash), byte for byte: any body byte is written with ANSI-C quoting. */
import type { HttpRequest } from '../engine/http.js';
import { redactHeaders, type Redaction } from './redaction.js';

/** Single-quoted for POSIX shells. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Bash ANSI-C quoting (`$'...'`): printable ASCII as is, everything else as \xHH, so the bytes survive exactly. */
export function ansiCQuote(bytes: Buffer): string {
  let out = "$'";
  for (const byte of bytes) {
    if (byte === 0x27) out += "\\'";
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

export interface CurlOptions {
  /** Bodies above this are left out (with a note) instead of inlined. */
  maxBodyBytes?: number;
}

export function curlCommand(request: HttpRequest, redaction: Redaction, options: CurlOptions = {}): string {
  const parts = ['curl', '-sS', '-i', '-X', request.method, shellQuote(request.url)];
  for (const [name, value] of Object.entries(redactHeaders(request.headers, redaction))) {
    parts.push('-H', shellQuote(`${name}: ${Array.isArray(value) ? value.join(', ') : value}`));
  }
  const body = request.body;
  if (body && body.length > 0) {
    if (options.maxBodyBytes !== undefined && body.length > options.maxBodyBytes) parts.push('--data-binary', shellQuote(`@body-${body.length}-bytes.json`));
    else parts.push('--data-binary', ansiCQuote(body));
  }
  return parts.join(' ');
}
