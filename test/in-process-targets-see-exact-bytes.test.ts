/**
 * In-process targets (engine/in-process-target.ts): a request listener or a fetch handler served on a loopback port
 * for a run. Each handler sees the exact bytes sent (not UTF-8 either) and every header; a fetch handler's Response
 * comes back as it is (status, headers, each Set-Cookie, a streamed body); a handler that throws, rejects or returns
 * no Response is answered 500 with the error, and nothing reaches the process; a sender that hangs up aborts the
 * Request's signal; copies released together reach the handler together; closing frees the port.
 */
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpEngine } from '../engine/http.js';
import { inProcessHandler, serveInProcess, type FetchHandler, type InProcessHandler } from '../engine/in-process-target.js';
import { exchange } from './support/receivers.js';

/** Bytes that are not UTF-8, a NUL and a CR LF: what a handler must get back unchanged. */
const BODY = Buffer.concat([Buffer.from('{"event":"x","raw":"'), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a]), Buffer.from('"}')]);

async function withServed<T>(handler: InProcessHandler, path: string, work: (url: string) => Promise<T>): Promise<T> {
  const served = await serveInProcess(handler, path);
  try {
    return await work(served.url.href);
  } finally {
    await served.close();
  }
}

function fetchTarget(fetch: FetchHandler): InProcessHandler {
  return inProcessHandler(fetch)!;
}

describe('in-process targets', () => {
  it('tell request listeners from fetch handlers by their parameters, and take objects with fetch and http.Servers', () => {
    expect(inProcessHandler((_req: unknown, _res: unknown) => undefined)?.kind).toBe('listener');
    expect(inProcessHandler(function express(_req: unknown, _res: unknown, _next: unknown) {})?.kind).toBe('listener');
    expect(inProcessHandler((_request: Request) => new Response())?.kind).toBe('fetch');
    expect(inProcessHandler({ fetch: (_request: Request, _env: unknown) => new Response() })?.kind).toBe('fetch');
    expect(inProcessHandler(http.createServer())?.kind).toBe('listener');
    expect(inProcessHandler('http://example.com')).toBeUndefined();
    expect(inProcessHandler({ handle: () => undefined })).toBeUndefined();
  });

  it('hand a request listener the exact bytes and headers, at the path given', async () => {
    let seen: { method?: string; url?: string; body?: Buffer; headers?: string[] } = {};
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen = { method: req.method!, url: req.url!, body: Buffer.concat(chunks), headers: req.rawHeaders };
        res.writeHead(204).end();
      });
    };
    const answer = await withServed(inProcessHandler(listener)!, '/zoom/webhook?x=1', (url) => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/zoom\/webhook\?x=1$/);
      return exchange(url, { body: BODY, headers: { 'x-zm-signature': 'v0=abc', 'X-Custom': 'One' } });
    });
    expect(answer.status).toBe(204);
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/zoom/webhook?x=1');
    expect(seen.body!.equals(BODY)).toBe(true);
    expect(seen.headers).toEqual(expect.arrayContaining(['x-zm-signature', 'v0=abc', 'X-Custom', 'One']));
  });

  it('hand a fetch handler a Request with the exact bytes and headers, and send its Response back as it is', async () => {
    let body: Buffer | undefined;
    let request: Request | undefined;
    const handler: FetchHandler = async (incoming) => {
      request = incoming;
      body = Buffer.from(await incoming.arrayBuffer());
      const headers = new Headers({ 'content-type': 'text/plain', 'x-answer': 'yes' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('part one, '));
          controller.enqueue(new TextEncoder().encode('part two'));
          controller.close();
        },
      });
      return new Response(stream, { status: 202, statusText: 'Taken', headers });
    };
    const answer = await withServed(fetchTarget(handler), '/hook', (url) => exchange(url, { body: BODY, headers: { 'x-zm-request-timestamp': '1700000000' } }));
    expect(body!.equals(BODY)).toBe(true);
    expect(request!.method).toBe('POST');
    expect(new URL(request!.url).pathname).toBe('/hook');
    expect(request!.headers.get('x-zm-request-timestamp')).toBe('1700000000');
    expect(request!.headers.get('content-length')).toBe(String(BODY.length));
    expect(answer.status).toBe(202);
    expect(answer.headers['x-answer']).toBe('yes');
    expect(answer.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(answer.text).toBe('part one, part two');
  });

  it('hand a GET to a fetch handler without a body (a Request cannot carry one)', async () => {
    const answer = await withServed(fetchTarget((request) => new Response(`${request.method} ${request.body === null}`)), '/', (url) => exchange(url, { method: 'GET' }));
    expect(answer.text).toBe('GET true');
  });

  it('answer 500 with the error when a handler throws, rejects or returns something else; nothing reaches the process', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    try {
      const cases: [InProcessHandler, RegExp][] = [
        [inProcessHandler((_req: unknown, _res: unknown) => {
          throw new TypeError('listener broke');
        })!, /^the request listener threw: TypeError: listener broke/],
        [inProcessHandler(async (_req: unknown, _res: unknown) => {
          throw new Error('listener rejected');
        })!, /^the request listener rejected: Error: listener rejected/],
        [fetchTarget(() => {
          throw new RangeError('fetch broke');
        }), /^the fetch handler threw: RangeError: fetch broke/],
        [fetchTarget(async () => 'not a response' as unknown as Response), /^the fetch handler did not return a Response: TypeError: it returned string/],
      ];
      for (const [handler, message] of cases) {
        const answer = await withServed(handler, '/', (url) => exchange(url, { body: '{}' }));
        expect(answer.status).toBe(500);
        expect(answer.text).toMatch(message);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    }
  });

  it("abort a fetch handler's Request signal when the sender hangs up before the answer", async () => {
    let aborted: Promise<boolean> | undefined;
    const handler: FetchHandler = async (request) => {
      await request.arrayBuffer();
      aborted = new Promise((resolve) => {
        if (request.signal.aborted) resolve(true);
        request.signal.addEventListener('abort', () => resolve(true));
        setTimeout(() => resolve(false), 3000);
      });
      await aborted;
      return new Response(null, { status: 200 });
    };
    const engine = new HttpEngine({ deadlineMs: 3000, concurrency: 2 });
    try {
      await withServed(fetchTarget(handler), '/', async (url) => {
        const result = await engine.abandon({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"event":"x"}') });
        expect(result.error?.kind).toBe('abandoned');
        await expect.poll(() => aborted !== undefined).toBe(true);
        expect(await aborted).toBe(true);
      });
    } finally {
      await engine.close();
    }
  });

  it('let copies released together reach the handler within a few milliseconds of each other', async () => {
    const arrivals: number[] = [];
    const handler: FetchHandler = async (request) => {
      await request.arrayBuffer();
      arrivals.push(performance.now());
      return new Response(null, { status: 200 });
    };
    const engine = new HttpEngine({ deadlineMs: 3000, concurrency: 4 });
    try {
      await withServed(fetchTarget(handler), '/', async (url) => {
        const request = { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: Buffer.from(`{"event":"x","pad":"${'y'.repeat(2000)}"}`) };
        const exchanges = await engine.releasedTogether([request, request, request]);
        expect(exchanges.map((entry) => entry.response?.status)).toEqual([200, 200, 200]);
      });
    } finally {
      await engine.close();
    }
    expect(arrivals).toHaveLength(3);
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThan(50);
  });

  it('free the port when closed, connections still open included', async () => {
    const served = await serveInProcess(inProcessHandler((_req: unknown, res: http.ServerResponse) => void res.end('ok'))!, '/');
    const port = Number(served.url.port);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    await served.close();
    await new Promise((resolve) => socket.once('close', resolve));
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise((resolve) => again.close(resolve));
  });
});
