/**
 * What never leaves the tool: the secret token (wherever a target echoes it back) and the credentials of the
 * optional endpoint authentication (header values). Every report and console line goes through here.
 */
export interface Redaction {
  secret: string;
  /** Lower-case names of headers whose values are credentials. */
  credentialHeaders: readonly string[];
}

export const REDACTED = '[redacted]';

export function redactText(text: string, redaction: Redaction): string {
  return redaction.secret.length > 0 && text.includes(redaction.secret) ? text.split(redaction.secret).join(REDACTED) : text;
}

export function redactBytes(bytes: Buffer, redaction: Redaction): Buffer {
  const secret = Buffer.from(redaction.secret, 'utf8');
  if (secret.length === 0 || bytes.indexOf(secret) < 0) return bytes;
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf(secret); at >= 0; at = bytes.indexOf(secret, from)) {
    parts.push(bytes.subarray(from, at), Buffer.from(REDACTED));
    from = at + secret.length;
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

export function redactHeaders<T extends string | string[]>(headers: Record<string, T>, redaction: Redaction): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (redaction.credentialHeaders.includes(name.toLowerCase())) out[name] = credentialShape(value);
    else out[name] = Array.isArray(value) ? value.map((item) => redactText(item, redaction)) : redactText(value as string, redaction);
  }
  return out;
}

/** Keeps the scheme of an authorization value (`Basic`, `Bearer`) and hides the credential. */
function credentialShape(value: string | string[]): string {
  const text = Array.isArray(value) ? value.join(', ') : value;
  const scheme = /^(Basic|Bearer)\s/i.exec(text);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}

/** A URL without user:password and with the query values of credential-looking parameters hidden. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/token|secret|key|password|auth|sig/i.test(key)) parsed.searchParams.set(key, 'redacted');
    }
    return parsed.href;
  } catch {
    return url;
  }
}
