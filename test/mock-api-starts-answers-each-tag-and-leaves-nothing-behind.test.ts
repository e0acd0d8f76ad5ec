/**
 * `conformance mock-api` as a user runs it: the built CLI as a real process. It prints its URL (and Prism's PID)
 * within 5 seconds, answers a valid request for an operation of each tag of the spec with a declared status and a
 * body that validates, refuses requests without a token (401) or with an invalid body (4xx), and on SIGTERM or
 * SIGINT stops Prism and exits 0, leaving no process (both PIDs gone) and the port free.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { canConnect, isRunning } from '../engine/server-process.js';
import { loadBundledSpec, type ApiOperation } from '../specs/catalog.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { declaredResponse } from '../suites/api/checks.js';
import { planRequests, PLACEHOLDER_TOKEN } from '../suites/api/requests.js';
import { startChild, waitForExit, type ManagedChild } from './support/child-process.js';
import { CLI, REPO_ROOT } from './support/paths.js';
import { exchange } from './support/receivers.js';
import { runMain } from './support/run-main.js';

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+)) \(Prism [^,]+, pid (\d+);/;
const spec = loadBundledSpec('video-sdk-api');
const validator = new SchemaValidator();

interface Started {
  child: ManagedChild;
  url: string;
  port: number;
  prismPid: number;
  startMs: number;
}

async function startMockApi(args: string[] = []): Promise<Started> {
  const started = performance.now();
  const child = await startChild(process.execPath, [CLI, 'mock-api', '--port', '0', ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, label: 'mock-api' });
  const match = await child.waitForStdout(LISTENING, 15_000);
  return { child, url: match[1]!, port: Number(match[2]), prismPid: Number(match[3]), startMs: performance.now() - started };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function expectNothingLeft(started: Started): Promise<void> {
  expect(isRunning(started.child.pid)).toBe(false);
  expect(isRunning(started.prismPid)).toBe(false);
  expect(await canConnect('127.0.0.1', started.port)).toBe(false);
  expect(await portIsFree(started.port)).toBe(true);
}

/** A valid request of the operation (the same generator `conformance api` uses) against the mock. */
async function send(url: string, operation: ApiOperation, headers?: Record<string, string>) {
  const [request] = planRequests(operation, { target: new URL(url), seed: 7, examples: 1, token: PLACEHOLDER_TOKEN, tokenGiven: false, userAgent: 'test' }).valid;
  return exchange(request!.url, { method: request!.method, headers: headers ?? request!.headers, ...(request!.body ? { body: request!.body } : {}) });
}

describe('conformance mock-api', () => {
  it('starts in under 5 s, answers an operation of each tag, and leaves no process and a free port after SIGTERM', async () => {
    const started = await startMockApi();
    try {
      expect(started.startMs).toBeLessThan(5000);
      expect(isRunning(started.prismPid)).toBe(true);
      expect(started.child.stdout()).toContain(`point your app's Zoom API base URL at it: https://api.zoom.us/v2 -> ${started.url}`);
      const tags = [...new Set(spec.operations.flatMap((operation) => operation.tags))];
      expect(tags.sort()).toEqual(['Byos Storage', 'Cloud Recording', 'Sessions', 'Video SDK Reports']);
      for (const tag of tags) {
        const operation = spec.operations.find((candidate) => candidate.tags.includes(tag) && candidate.method === 'get')!;
        const response = await send(started.url, operation);
        const declared = declaredResponse(operation, response.status);
        expect(response.status, `${tag}: ${operation.path} -> ${response.status} ${response.text}`).toBeLessThan(300);
        expect(declared).toBeDefined();
        if (declared?.content) expect(validator.validate(declared.content.schema, JSON.parse(response.text))).toEqual([]);
      }
      const sessions = spec.operations.find((operation) => operation.method === 'get' && operation.path === '/videosdk/sessions')!;
      expect((await send(started.url, sessions, { accept: 'application/json' })).status).toBe(401);
      const create = spec.operations.find((operation) => operation.method === 'post' && operation.path === '/videosdk/sessions')!;
      const invalid = await exchange(`${started.url}/videosdk/sessions`, { method: 'POST', headers: { authorization: 'Bearer any' }, body: '{"session_name": 5}' });
      expect(invalid.status).toBeGreaterThanOrEqual(400);
      expect(invalid.status).toBeLessThan(500);
      expect((await send(started.url, create)).status).toBe(201);
    } finally {
      const status = await started.child.stop();
      expect(status).toEqual({ code: 0, signal: null });
    }
    expect(started.child.stdout()).toContain('mock-api: stopped (SIGTERM)');
    await expectNothingLeft(started);
  });

  it('Ctrl-C (SIGINT) stops it the same way; --dynamic answers generated data instead of the examples', async () => {
    const started = await startMockApi(['--dynamic']);
    try {
      expect(started.child.stdout()).toContain('generated responses');
      const sessions = spec.operations.find((operation) => operation.method === 'get' && operation.path === '/videosdk/sessions')!;
      const response = await send(started.url, sessions);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).not.toEqual(sessions.responses[0]!.content!.example);
    } finally {
      // SIGINT alone (stop() would add a SIGTERM): it must end the process by itself.
      process.kill(started.child.pid, 'SIGINT');
      const exited = await waitForExit(started.child.child, 15_000);
      if (!exited) await started.child.stop();
      expect(exited).toBe(true);
      expect(started.child.exitStatus()).toEqual({ code: 0, signal: null });
    }
    expect(started.child.stdout()).toContain('mock-api: stopped (SIGINT)');
    await expectNothingLeft(started);
  });

  it('a port in use is one line and exit code 2, with no Prism left behind', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runMain(['mock-api', '--port', String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`conformance: --port: port ${port} on 127.0.0.1 is already in use (--port 0 picks a free one)\n`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('--help of mock-api and of api explain how to use them', async () => {
    const mock = await runMain(['mock-api', '--help']);
    expect(mock.code).toBe(0);
    expect(mock.stdout).toContain("Point your receiver's Zoom API base URL at the printed URL");
    expect(mock.stdout).toContain('--dynamic');
    const api = await runMain(['api', '--help']);
    expect(api.code).toBe(0);
    for (const text of ['--target <url>', '--token <jwt>', '--operations <globs>', '--unsafe', 'Read-only by default', 'Exit codes']) expect(api.stdout).toContain(text);
  });
});
