/**
 * Replay files (`.conformance/failures/<id>.json`): a failure found by the fuzzer, saved so that it can be sent
 * again byte for byte (`conformance replay FILE`). Like fast-check's seed and path, the file makes the failure
 * repeatable; unlike them, it does not need the generator: it holds the exact bodies and how each was signed, so a
 * replay re-signs them with a fresh timestamp (or keeps the recorded headers with `--keep-timestamp`).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Exchange, HttpRequest } from '../engine/http.js';
import type { DeliveryNote } from '../generators/deliveries.js';
import { isAcknowledged, signedHeaders, type EndpointAuth, type SignatureSpec } from '../profiles/zoom.js';
import { redactHeaders, type Redaction } from '../reports/redaction.js';
import type { Level, Verdict } from './check.js';
import { is2xx, is5xx, outcome } from './outcome.js';

export const REPLAY_FORMAT = 'zoom-conformance/replay@1';

/** What a replayed request must get. */
export type Expectation = 'acknowledged' | 'rejected' | 'no-server-error';

export type StoredSignature =
  | { kind: Exclude<SignatureSpec['kind'], 'other-body' | 'tampered' | 'truncated' | 'flipped'> }
  | { kind: 'truncated'; length: number }
  | { kind: 'flipped'; index: number }
  | { kind: 'other-body'; otherBodyBase64: string }
  | { kind: 'tampered'; signedBodyBase64: string };

export interface ReplayRequest {
  label: string;
  /** Requests of one group are sent at the same moment; groups go in order. */
  group: number;
  method: string;
  /** The body as text when it is UTF-8, else in base64. */
  body?: string;
  bodyBase64?: string;
  signature: StoredSignature;
  expect: Expectation;
  /** The headers as first sent (credentials redacted): `--keep-timestamp` sends these again. */
  headers: Record<string, string>;
}

export interface ReplayFile {
  format: typeof REPLAY_FORMAT;
  tool: string;
  version: string;
  createdAt: string;
  target: string;
  check: { id: string; level: Level; title: string };
  reason: string;
  event: string;
  system: string | null;
  /** fast-check's seed and path: `conformance fuzz --seed S --path P` runs the same case again. */
  fuzz: { seed: number; path: string; numRuns: number; numShrinks: number };
  edges: DeliveryNote[];
  deadlineMs: number;
  requests: ReplayRequest[];
  /** With an observer: how many times the receiver must have applied this delivery after the requests. */
  observe?: { event: string; eventTs: number; expected: number };
}

export function storeSignature(spec: SignatureSpec): StoredSignature {
  if (spec.kind === 'other-body') return { kind: 'other-body', otherBodyBase64: spec.otherBody.toString('base64') };
  if (spec.kind === 'tampered') return { kind: 'tampered', signedBodyBase64: spec.signedBody.toString('base64') };
  return spec;
}

export function loadSignature(stored: StoredSignature): SignatureSpec {
  if (stored.kind === 'other-body') return { kind: 'other-body', otherBody: Buffer.from(stored.otherBodyBase64, 'base64') };
  if (stored.kind === 'tampered') return { kind: 'tampered', signedBody: Buffer.from(stored.signedBodyBase64, 'base64') };
  return stored;
}

export function storeBody(body: Buffer): { body: string } | { bodyBase64: string } {
  const text = body.toString('utf8');
  return Buffer.from(text, 'utf8').equals(body) ? { body: text } : { bodyBase64: body.toString('base64') };
}

export function bodyOf(request: Pick<ReplayRequest, 'body' | 'bodyBase64'>): Buffer {
  return request.bodyBase64 !== undefined ? Buffer.from(request.bodyBase64, 'base64') : Buffer.from(request.body ?? '', 'utf8');
}

/** A stored request from what was sent. */
export function replayRequest(
  input: { label: string; group: number; request: HttpRequest; signature: SignatureSpec; expect: Expectation },
  redaction: Redaction,
): ReplayRequest {
  return {
    label: input.label,
    group: input.group,
    method: input.request.method,
    ...storeBody(input.request.body ?? Buffer.alloc(0)),
    signature: storeSignature(input.signature),
    expect: input.expect,
    headers: redactHeaders(input.request.headers, redaction) as Record<string, string>,
  };
}

/** Writes the file under `dir` with a stable, readable name; returns its path. */
export async function writeReplayFile(dir: string, file: ReplayFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const digest = createHash('sha256').update(JSON.stringify(file.requests)).digest('hex').slice(0, 8);
  const stamp = file.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const name = `${stamp}-${file.check.id}-${file.event.replace(/[^A-Za-z0-9_.-]/g, '_')}-${digest}.json`;
  const target = path.join(dir, name);
  await writeFile(target, `${JSON.stringify(file, null, 2)}\n`, 'utf8');
  return target;
}

export class ReplayFileError extends Error {
  override name = 'ReplayFileError';
}

export async function readReplayFile(file: string): Promise<ReplayFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ReplayFileError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ReplayFileError(`${file}: not JSON`);
  }
  const record = parsed as Partial<ReplayFile> | null;
  if (!record || typeof record !== 'object' || record.format !== REPLAY_FORMAT) throw new ReplayFileError(`${file}: not a replay file (format "${REPLAY_FORMAT}" expected)`);
  if (!Array.isArray(record.requests) || record.requests.length === 0) throw new ReplayFileError(`${file}: the replay file has no requests`);
  for (const request of record.requests) {
    if (typeof request?.method !== 'string' || typeof request.signature?.kind !== 'string' || typeof request.expect !== 'string') {
      throw new ReplayFileError(`${file}: a request lacks its method, signature or expectation`);
    }
  }
  if (typeof record.target !== 'string' || typeof record.event !== 'string' || !record.check) throw new ReplayFileError(`${file}: target, event or check missing`);
  return record as ReplayFile;
}

/** The requests of a replay, grouped, re-signed at `timestamp` (or with the recorded headers when `keepTimestamp`). */
export function replayGroups(
  file: ReplayFile,
  options: { target: string; secret: string; auth?: EndpointAuth; keepTimestamp: boolean; timestamp?: number },
): { request: HttpRequest; stored: ReplayRequest }[][] {
  const groups = new Map<number, { request: HttpRequest; stored: ReplayRequest }[]>();
  for (const stored of file.requests) {
    const body = bodyOf(stored);
    const headers = options.keepTimestamp
      ? { ...stored.headers }
      : signedHeaders(loadSignature(stored.signature), { secret: options.secret, body, ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}), ...(options.auth ? { auth: options.auth } : {}) });
    const request: HttpRequest = { method: stored.method, url: options.target, headers, body, label: stored.label };
    const group = groups.get(stored.group) ?? [];
    group.push({ request, stored });
    groups.set(stored.group, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/** Judges one replayed exchange against what its request must get. */
export function judgeReplayed(expect: Expectation, exchange: Exchange): Verdict {
  switch (expect) {
    case 'acknowledged':
      return isAcknowledged(exchange.response?.status) ? { status: 'pass' } : { status: 'fail', reason: `${outcome(exchange)}; expected 200 or 204 within the deadline` };
    case 'rejected':
      return is2xx(exchange) ? { status: 'fail', reason: `accepted: ${outcome(exchange)}; a forgery must not get a 2xx` } : { status: 'pass' };
    case 'no-server-error':
      return is5xx(exchange) || exchange.error ? { status: 'fail', reason: `${outcome(exchange)}; expected no 5xx, reset or timeout` } : { status: 'pass' };
  }
}
