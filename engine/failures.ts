/** How a request failed, in a word (`FailureKind`) and in a line, from the error Node or undici raised. */

export type FailureKind = 'timeout' | 'refused' | 'reset' | 'dns' | 'tls' | 'abandoned' | 'error';

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const record = current as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (typeof record.code === 'string') codes.push(record.code);
    if (typeof record.name === 'string') codes.push(record.name);
    if (Array.isArray(record.errors)) for (const inner of record.errors) codes.push(...errorCodes(inner));
    current = record.cause;
  }
  return codes;
}

export function classify(error: unknown): FailureKind {
  const codes = errorCodes(error);
  if (codes.some((code) => code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL')) return 'refused';
  if (codes.some((code) => code === 'ENOTFOUND' || code === 'EAI_AGAIN')) return 'dns';
  if (codes.some((code) => code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT')) return 'timeout';
  if (codes.some((code) => code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED/.test(code))) return 'tls';
  if (codes.some((code) => code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')) return 'reset';
  return 'error';
}

export function describeError(error: unknown): string {
  const codes = errorCodes(error).filter((code) => /^[A-Z_]+$/.test(code));
  const message = error instanceof Error ? error.message : String(error);
  return codes.length > 0 && !message.includes(codes[0]!) ? `${message} (${codes[0]})` : message;
}
