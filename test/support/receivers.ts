/**
 * The reference receivers (examples/receivers, compiled to dist/) as real processes for end-to-end tests, and a
 * plain HTTP client to talk to them. Tests run after `npm run build`, so dist/ exists.
 */
import { request as httpRequest, type Agent } from 'node:http';
import path from 'node:path';
import { startChild, type ExitStatus } from './child-process.js';
import { REPO_ROOT } from './paths.js';

export const RECEIVERS_DIR = path.join(REPO_ROOT, 'dist/examples/receivers');
export const COMPLIANT_SCRIPT = path.join(RECEIVERS_DIR, 'compliant.js');
export const FAULTY_SCRIPT = path.join(RECEIVERS_DIR, 'faulty.js');

/** The one line a receiver prints once it listens (the label differs between compliant and faulty). */
export const LISTENING_LINE =
  /^(Zoom receiver(?: \(defect: ([a-z0-9,-]+)\))?) listening on (http:\/\/127\.0\.0\.1:(\d+)\/zoom\/webhook) \(observer: (http:\/\/127\.0\.0\.1:\4\/zoom\/observe)\)\n/;

export interface RunningReceiver {
  /** `http://127.0.0.1:<port>/zoom/webhook` */
  url: string;
  /** `http://127.0.0.1:<port>/zoom/observe` */
  observeUrl: string;
  pid: number;
  /** Everything the process wrote so far (stderr, then stdout). */
  output(): string;
  /** Exactly what it wrote to stdout so far. */
  stdout(): string;
  /** How it exited, once it has. */
  exitStatus(): ExitStatus | undefined;
  /** SIGTERM by PID, SIGKILL after 5 s, and waits until the process has exited. */
  stop(): Promise<void>;
}

export interface StartReceiverOptions {
  /** A faulty variant's defect name (or several, comma-separated); the compliant receiver when absent. */
  defect?: string;
  secret: string;
  /** Extra environment (applied last, so it may also unset the secret). */
  env?: NodeJS.ProcessEnv;
  /** Default 15 s. */
  startTimeoutMs?: number;
}

/** Starts a receiver on 127.0.0.1, any free port, and resolves once it has printed its listening line. */
export async function startReceiver(options: StartReceiverOptions): Promise<RunningReceiver> {
  const script = options.defect === undefined ? COMPLIANT_SCRIPT : FAULTY_SCRIPT;
  const args = [script, ...(options.defect === undefined ? [] : ['--defect', options.defect]), '--port', '0', '--host', '127.0.0.1'];
  const child = await startChild(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: options.secret, ...options.env },
    label: `receiver ${options.defect ?? 'compliant'}`,
  });
  let match: RegExpMatchArray;
  try {
    match = await child.waitForStdout(LISTENING_LINE, options.startTimeoutMs ?? 15_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    url: match[3]!,
    observeUrl: match[5]!,
    pid: child.pid,
    output: child.output,
    stdout: child.stdout,
    exitStatus: child.exitStatus,
    stop: async () => {
      await child.stop();
    },
  };
}

export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** Milliseconds from sending the request to the end of the response. */
  ms: number;
}

export interface ExchangeOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent exactly as given, with an exact Content-Length. */
  body?: Buffer | string;
  timeoutMs?: number;
  /** Default none: a fresh connection, closed after the response (no keep-alive pool left behind). */
  agent?: Agent;
}

/** One HTTP request, the whole response read. */
export function exchange(url: string, options: ExchangeOptions = {}): Promise<Exchange> {
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'POST',
        agent: options.agent ?? false,
        headers: { ...(body ? { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) } : {}), ...options.headers },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString('utf8'), ms: performance.now() - started });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'POST'} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The observer's count for a delivery: how many times the receiver applied it. */
export async function appliedCount(observeUrl: string, event: string, eventTs: number | string): Promise<number> {
  const url = `${observeUrl}?event=${encodeURIComponent(event)}&event_ts=${encodeURIComponent(String(eventTs))}`;
  const response = await exchange(url, { method: 'GET' });
  if (response.status !== 200) throw new Error(`observer answered ${response.status}: ${response.text}`);
  return (JSON.parse(response.text) as { count: number }).count;
}
