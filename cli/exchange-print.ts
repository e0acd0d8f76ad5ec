/** Prints one exchange for a person at a terminal: the request, the response (or the failure) and the latency. */
import type { Exchange } from '../engine/http.js';
import { printable, colorsFor } from '../reports/console.js';
import { redactBytes, redactHeaders, type Redaction } from '../reports/redaction.js';
import type { Io } from './io.js';

/** Body bytes shown before the rest is summarised. */
const SHOWN_BODY = 2048;

export function printExchange(io: Io, exchange: Exchange, redaction: Redaction, options: { showRequestBody?: boolean } = {}): void {
  const c = colorsFor(io);
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const { request, response, error } = exchange;
  out(`${c.bold('>')} ${request.method} ${printable(request.url)}${request.label ? c.dim(`  (${printable(request.label)})`) : ''}`);
  for (const [name, value] of Object.entries(redactHeaders(request.headers, redaction))) out(`${c.dim('>')} ${name}: ${printable(String(value))}`);
  if (options.showRequestBody !== false && request.body && request.body.length > 0) out(`${c.dim('>')} ${excerpt(request.body, redaction)}`);
  if (response) {
    const ms = Math.round(exchange.latencyMs);
    out(`${c.bold('<')} ${response.status} ${c.dim(`after ${ms} ms`)}`);
    for (const [name, value] of Object.entries(redactHeaders(response.headers, redaction))) out(`${c.dim('<')} ${name}: ${printable(Array.isArray(value) ? value.join(', ') : value)}`);
    if (response.body.length > 0) out(`${c.dim('<')} ${excerpt(response.body, redaction)}${response.truncated ? c.dim(' (cut)') : ''}`);
  } else if (error) {
    out(`${c.red('<')} ${error.kind}: ${printable(error.message)}`);
  }
}

function excerpt(bytes: Buffer, redaction: Redaction): string {
  const safe = redactBytes(bytes, redaction);
  const shown = printable(safe.subarray(0, SHOWN_BODY).toString('utf8'));
  return safe.length > SHOWN_BODY ? `${shown} … (${safe.length} bytes in all)` : shown;
}
