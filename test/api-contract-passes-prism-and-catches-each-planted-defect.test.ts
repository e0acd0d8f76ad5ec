/**
 * `conformance api` end to end: against Prism's mock of the bundled Video SDK REST API spec (started by
 * engine/prism.ts, as `mock-api` does) it passes, read-only and with --unsafe; against the API fakes of
 * examples/api-servers (real processes on 127.0.0.1) the compliant one passes and each planted defect is caught
 * by exactly its checks. Also: the reproduce line repeats a failure, the report keeps the token out and names its
 * operations, requests are deterministic per (seed, operation), and usage errors are one line with exit code 2.
 *
 * What Prism's own mock does that a client must know is asserted, not hidden: it accepts any bearer token (with
 * --token, api-contract.auth-token-verified fails there, a SHOULD), and with --dynamic its generated data ignores
 * `format: url` (the only failures are api-contract.response-schema on such fields).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrism, type PrismServer } from '../engine/prism.js';
import { isRunning } from '../engine/server-process.js';
import { API_DEFECTS } from '../examples/api-servers/faulty.js';
import type { ConformanceReport } from '../reports/report.js';
import { BUNDLED_SPECS, loadBundledSpec } from '../specs/catalog.js';
import { isReadOnly, planRequests, PLACEHOLDER_TOKEN } from '../suites/api/requests.js';
import { startApiFake, type RunningApiFake } from './support/api-servers.js';
import { SPEC_DIR } from './support/paths.js';
import { runMain } from './support/run-main.js';

const SEED = 20261123;
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ0ZXN0LWFwcCJ9.c2lnbmF0dXJlLW9mLXRoZS10ZXN0LXRva2Vu';
const work = mkdtempSync(path.join(os.tmpdir(), 'conformance-api-'));
const spec = loadBundledSpec('video-sdk-api');
const readOnly = spec.operations.filter(isReadOnly);
const withBody = spec.operations.filter((operation) => operation.requestBody);

interface ApiRun {
  code: number;
  stdout: string;
  stderr: string;
  report: ConformanceReport;
}

let runs = 0;
async function api(target: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ApiRun> {
  const out = path.join(work, `run-${++runs}`);
  const result = await runMain(['api', '--target', target, '--seed', String(SEED), '--no-progress', '--report', 'json', '--out', out, ...args], { env });
  const report = JSON.parse(readFileSync(path.join(out, 'conformance.json'), 'utf8')) as ConformanceReport;
  return { ...result, report };
}

function failing(report: ConformanceReport): string[] {
  return [...new Set(report.checks.filter((check) => check.status === 'fail').map((check) => check.id))].sort();
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("against Prism's mock of the spec", () => {
  let mock: PrismServer;
  let dynamic: PrismServer;

  beforeAll(async () => {
    const specFile = path.join(SPEC_DIR, BUNDLED_SPECS['video-sdk-api']);
    [mock, dynamic] = await Promise.all([startPrism(specFile), startPrism(specFile, { dynamic: true })]);
  });

  afterAll(async () => {
    const pids = [mock, dynamic].filter(Boolean).map((server) => server.pid);
    await Promise.all([mock, dynamic].filter(Boolean).map((server) => server.stop()));
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('passes read-only: every GET operation, every check that applies, nothing failed; the 19 others left out and said so', async () => {
    const run = await api(mock.url);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(failing(run.report)).toEqual([]);
    expect(run.report.config).toMatchObject({ systems: ['video-sdk-api'], suites: ['api-contract'], operations: readOnly.length, operationsLeftOut: 19, unsafe: false });
    expect(run.stdout).toContain('read-only: 19 operations that change or delete state (POST, PUT, PATCH, DELETE) left out; --unsafe runs them');
    const operations = new Set(run.report.checks.filter((check) => check.status === 'pass').map((check) => check.event));
    expect(operations.size).toBe(readOnly.length);
    for (const id of ['api-contract.no-server-error', 'api-contract.declared-status', 'api-contract.content-type', 'api-contract.response-schema', 'api-contract.auth-required']) {
      expect(run.report.checks.filter((check) => check.id === id && check.status === 'pass'), id).toHaveLength(readOnly.length);
    }
    // Without --token the forged-token check cannot mean anything; without --unsafe no GET takes a body.
    const skipped = run.report.checks.filter((check) => check.status === 'skip');
    expect(skipped.map((check) => check.id).sort()).toEqual(['api-contract.auth-token-verified', 'api-contract.invalid-body-rejected']);
    expect(skipped.every((check) => check.event === null)).toBe(true);
    expect(run.report.summary.bySuite['api-contract']).toBeDefined();
  });

  it('passes with --unsafe: all 38 operations; every invalid body of the 14 operations that take one is rejected', async () => {
    const run = await api(mock.url, ['--unsafe']);
    expect(run.code, run.stdout).toBe(0);
    expect(failing(run.report)).toEqual([]);
    expect(run.report.config).toMatchObject({ operations: 38, operationsLeftOut: 0, unsafe: true });
    const rejected = run.report.checks.filter((check) => check.id === 'api-contract.invalid-body-rejected');
    expect(rejected.map((check) => check.event).sort()).toEqual(withBody.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`).sort());
    expect(rejected.every((check) => check.status === 'pass')).toBe(true);
  });

  it('accepts a forged token: with --token, api-contract.auth-token-verified fails on every operation (a SHOULD: still exit 0)', async () => {
    const run = await api(mock.url, [], { ZOOM_API_TOKEN: TOKEN });
    expect(run.code).toBe(0);
    expect(failing(run.report)).toEqual(['api-contract.auth-token-verified']);
    expect(run.report.checks.filter((check) => check.id === 'api-contract.auth-token-verified' && check.status === 'fail')).toHaveLength(readOnly.length);
  });

  it('--dynamic: the only failures are bodies whose `format: url` fields hold text (Prism’s generator ignores that format)', async () => {
    const run = await api(dynamic.url, ['--unsafe']);
    const failures = run.report.checks.filter((check) => check.status === 'fail');
    for (const failure of failures) {
      expect(failure.id).toBe('api-contract.response-schema');
      expect(failure.reason).toMatch(/must match format "url"/);
    }
    expect(run.code).toBe(failures.length > 0 ? 1 : 0);
  });
});

describe('against the API fakes of examples/api-servers', () => {
  const fakes = new Map<string, RunningApiFake>();
  const names = ['compliant', ...Object.keys(API_DEFECTS)];

  beforeAll(async () => {
    await Promise.all(names.map(async (name) => fakes.set(name, await startApiFake({ token: TOKEN, ...(name === 'compliant' ? {} : { defect: name }) }))));
  });

  afterAll(async () => {
    const pids = [...fakes.values()].map((fake) => fake.pid);
    await Promise.all([...fakes.values()].map((fake) => fake.stop()));
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('the compliant fake passes every check on every operation (--unsafe --token)', async () => {
    const run = await api(fakes.get('compliant')!.url, ['--unsafe'], { ZOOM_API_TOKEN: TOKEN });
    expect(run.code, run.stdout).toBe(0);
    expect(failing(run.report)).toEqual([]);
    // Skipped only where the operation declares no response body at all.
    for (const check of run.report.checks.filter((record) => record.status === 'skip')) {
      expect(check.reason).toBe('the operation declares no response body');
    }
  });

  const EXPECTED: Record<keyof typeof API_DEFECTS, { failing: string[]; code: number }> = {
    'wrong-status': { failing: ['api-contract.declared-status'], code: 1 },
    'schema-break': { failing: ['api-contract.response-schema'], code: 1 },
    'server-error': { failing: ['api-contract.no-server-error'], code: 1 },
    'wrong-content-type': { failing: ['api-contract.content-type'], code: 1 },
    'ignores-auth': { failing: ['api-contract.auth-required', 'api-contract.auth-token-verified'], code: 0 },
    'accepts-any-token': { failing: ['api-contract.auth-token-verified'], code: 0 },
  };

  for (const [defect, expected] of Object.entries(EXPECTED)) {
    it(`${defect}: caught by exactly ${expected.failing.join(' and ')} (exit ${expected.code})`, async () => {
      const run = await api(fakes.get(defect)!.url, ['--unsafe'], { ZOOM_API_TOKEN: TOKEN });
      expect(failing(run.report), run.stdout).toEqual(expected.failing);
      expect(run.code).toBe(expected.code);
    });
  }

  it('the reproduce line of a failure repeats exactly that failure on that operation', async () => {
    const run = await api(fakes.get('schema-break')!.url, [], { ZOOM_API_TOKEN: TOKEN });
    const failure = run.report.checks.find((check) => check.status === 'fail')!;
    expect(failure.reproduce).toMatch(/^npx conformance api --target http:\/\/127\.0\.0\.1:\d+\/ --seed 20261123 --token '<token>' --operations '[A-Z]+ \/[^']+' --checks api-contract\.response-schema$/);
    const args = [...failure.reproduce.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!).slice(2).filter((arg) => arg !== '<token>' && arg !== '--token');
    const again = await runMain([...args, '--no-progress'], { env: { ZOOM_API_TOKEN: TOKEN } });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`FAIL MUST   api-contract.response-schema (1 failure)`);
    expect(again.stdout).toContain(`${failure.event}: ${failure.reason}`);
  });

  it('the report names operations and the system, and never holds the token (headers redacted, curl included)', async () => {
    const run = await api(fakes.get('wrong-content-type')!.url, ['--unsafe'], { ZOOM_API_TOKEN: TOKEN });
    const text = JSON.stringify(run.report);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(TOKEN.split('.')[2]!);
    const failure = run.report.checks.find((check) => check.status === 'fail')!;
    expect(failure).toMatchObject({ suite: 'api-contract', level: 'MUST', system: 'video-sdk-api' });
    expect(failure.event).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/videosdk\//);
    expect(failure.exchanges[0]!.request.headers!.authorization).toBe('Bearer [redacted]');
    expect(failure.exchanges[0]!.curl).toContain("-H 'authorization: Bearer [redacted]'");
    expect(failure.reason).toMatch(/^valid request 1: status 2\d\d with content-type text\/plain; charset=utf-8; the operation declares application\/json \(and 2 more of 3\)$/);
  });
});

describe('requests', () => {
  const target = new URL('http://127.0.0.1:9/');
  const options = { target, seed: SEED, examples: 3, token: PLACEHOLDER_TOKEN, tokenGiven: false, userAgent: 'test' };
  const strip = (plan: ReturnType<typeof planRequests>) => JSON.stringify(plan, (_key, value: unknown) => (value && typeof value === 'object' && 'type' in value && (value as { type: unknown }).type === 'Buffer' ? Buffer.from((value as unknown as { data: number[] }).data).toString('base64') : value));

  it('are deterministic per (seed, operation), differ with the seed, and carry realistic path ids', () => {
    for (const operation of spec.operations) {
      expect(strip(planRequests(operation, options))).toBe(strip(planRequests(operation, options)));
    }
    const session = spec.operations.find((operation) => operation.path === '/videosdk/sessions/{sessionId}' && operation.method === 'get')!;
    const urls = planRequests(session, options).valid.map((request) => request.url);
    expect(urls).not.toEqual(planRequests(session, { ...options, seed: SEED + 1 }).valid.map((request) => request.url));
    // Session ids are Zoom instance uuids (base64 of 16 bytes), encoded as one path segment.
    for (const url of urls) expect(decodeURIComponent(new URL(url).pathname.split('/')[3]!)).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it('valid bodies validate and invalid ones do not, for every operation that takes a body', async () => {
    const { SchemaValidator } = await import('../specs/schema-validator.js');
    const validator = new SchemaValidator();
    for (const operation of withBody) {
      const plan = planRequests(operation, options);
      for (const request of plan.valid) expect(validator.validate(operation.requestBody!.schema, JSON.parse(request.body!.toString('utf8'))), request.label).toEqual([]);
      expect(plan.invalidBodies.length).toBeGreaterThanOrEqual(2);
      for (const request of plan.invalidBodies) {
        let value: unknown;
        try {
          value = JSON.parse(request.body!.toString('utf8'));
        } catch {
          continue; // not JSON at all
        }
        expect(validator.isValid(operation.requestBody!.schema, value), `${operation.path} ${request.label}`).toBe(false);
      }
    }
  });
});

describe('usage errors: one line, exit code 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['no --target', ['api'], /^conformance: --target URL is required/],
    ['an operation pattern that matches nothing', ['api', '--target', 'http://127.0.0.1:9', '--operations', 'GET /nope'], /^conformance: --operations: "GET \/nope" matches no operation/],
    ['only operations that change state, without --unsafe', ['api', '--target', 'http://127.0.0.1:9', '--operations', 'DELETE /videosdk/sessions/{sessionId}'], /add --unsafe/],
    ['an unknown check', ['api', '--target', 'http://127.0.0.1:9', '--checks', 'signature.*'], /^conformance: --checks: "signature\.\*" matches no API contract check/],
    ['an unreachable target', ['api', '--target', 'http://127.0.0.1:9', '--no-progress'], /^conformance: cannot reach http:\/\/127\.0\.0\.1:9: connection refused/],
    ['a port out of range for mock-api', ['mock-api', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const result = await runMain(args);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    });
  }
});
