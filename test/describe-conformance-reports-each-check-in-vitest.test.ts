/**
 * zoom-conformance/vitest in a real vitest run (a child process over fixture test files, with a reporter that writes
 * what vitest recorded): describeConformance registers one test per check; MUST failures fail their test with a
 * message naming each failing event, its finding and the line that reproduces it; SHOULD failures are annotations
 * unless `strict: true`; failures a baseline accepts are annotations with the reason; a check that could not run is
 * a skipped test with the reason; each test's events are in its meta; with `-t`, only the checks of the tests that
 * run are run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance, type ConformanceMeta, type DescribeConformanceOptions } from '../integrations/vitest.js';
import { REPO_ROOT } from './support/paths.js';
import { readReport } from './support/report-files.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const DIR = mkdtempSync(path.join(os.tmpdir(), 'conformance-vitest-'));
const source = (file: string) => JSON.stringify(pathToFileURL(path.join(REPO_ROOT, file)).href);

interface Recorded {
  suite: string;
  name: string;
  state: string;
  errors: string[];
  note?: string;
  annotations: { type: string; message: string }[];
  meta: { conformance?: ConformanceMeta };
}

const REPORTER = `
import { writeFileSync } from 'node:fs';
export default class {
  onTestRunEnd(modules) {
    const tests = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        tests.push({
          suite: test.parent.name,
          name: test.name,
          state: result.state,
          errors: (result.errors ?? []).map((error) => error.message),
          note: result.note,
          annotations: test.annotations().map(({ type, message }) => ({ type, message })),
          meta: test.meta(),
        });
      }
    }
    writeFileSync(process.env.RECORDED, JSON.stringify(tests));
  }
}
`;

const FIXTURE = `
import { describeConformance } from ${source('integrations/vitest.ts')};
import { createZoomRequestHandler } from ${source('examples/receivers/compliant.ts')};
import { createFaultyReceiver } from ${source('examples/receivers/faulty.ts')};

const secret = ${JSON.stringify(SECRET)};
const common = { secret, events: ['meeting.started'], seed: 1, path: '/zoom/webhook' };
const reserializing = () => createFaultyReceiver(['reserializes-json'], { secretToken: secret });

describeConformance('should', { ...common, target: reserializing(), suites: 'acknowledgement,signature' });
describeConformance('strict', { ...common, target: reserializing(), suites: 'acknowledgement,signature', strict: true });
describeConformance('other secret', { ...common, target: createZoomRequestHandler({ secretToken: 'another secret' }), suites: ['acknowledgement', 'signature'] });
describeConformance('baseline', { ...common, target: reserializing(), suites: 'acknowledgement,signature', strict: true, baseline: 'baseline.json', cwd: ${JSON.stringify(DIR)} });
describeConformance('skips', { ...common, target: createZoomRequestHandler({ secretToken: secret }), checks: 'idempotency.applied-once' });
`;

const FILTERED = `
import { describeConformance } from ${source('integrations/vitest.ts')};
import { createZoomRequestHandler } from ${source('examples/receivers/compliant.ts')};

describeConformance('filtered', {
  target: createZoomRequestHandler({ secretToken: ${JSON.stringify(SECRET)} }),
  path: '/zoom/webhook',
  secret: ${JSON.stringify(SECRET)},
  events: 'meeting.started',
  report: 'json',
  out: ${JSON.stringify(path.join(DIR, 'filtered-report'))},
});
`;

function runVitest(file: string, extra: string[] = []): { code: number | null; tests: Recorded[]; output: string } {
  const recorded = path.join(DIR, `${file}.recorded.json`);
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', file, '--root', DIR, '--reporter', './reporter.mjs', ...extra], {
    cwd: DIR,
    env: { ...process.env, RECORDED: recorded, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  const tests = JSON.parse(readFileSync(recorded, 'utf8')) as Recorded[];
  return { code: result.status, tests, output: `${result.stdout}${result.stderr}` };
}

let main: ReturnType<typeof runVitest>;

beforeAll(() => {
  writeFileSync(path.join(DIR, 'reporter.mjs'), REPORTER);
  writeFileSync(path.join(DIR, 'checks.test.ts'), FIXTURE);
  writeFileSync(path.join(DIR, 'filtered.test.ts'), FILTERED);
  writeFileSync(path.join(DIR, 'baseline.json'), JSON.stringify({ accept: [{ finding: 'reserialized-body', reason: 'our proxy re-encodes bodies (TICKET-7)' }] }));
  main = runVitest('checks.test.ts');
}, 300_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

function test(suite: string, name: string): Recorded {
  const found = main.tests.find((entry) => entry.suite === suite && entry.name === name);
  if (!found) throw new Error(`no test ${suite} > ${name} among ${main.tests.map((entry) => `${entry.suite} > ${entry.name}`).join(', ')}`);
  return found;
}

describe('describeConformance in a vitest run', () => {
  it('registers one test per selected check, named with its level', () => {
    expect(main.tests.filter((entry) => entry.suite === 'should').map((entry) => entry.name)).toContain('signature.raw-body (SHOULD)');
    expect(main.tests.filter((entry) => entry.suite === 'should').map((entry) => entry.name)).toContain('signature.wrong-secret (MUST)');
    expect(main.tests.filter((entry) => entry.suite === 'skips').map((entry) => entry.name)).toEqual(['idempotency.applied-once (MUST)']);
    // The failing ones fail the run.
    expect(main.code).toBe(1);
  });

  it('reports a SHOULD failure as an annotation with its finding and reproduce line, without failing, unless strict', () => {
    const should = test('should', 'signature.raw-body (SHOULD)');
    expect(should.state).toBe('passed');
    const warning = should.annotations.find((annotation) => annotation.type === 'warning');
    expect(warning?.message).toMatch(/^SHOULD \(not failing without strict: true\): signature\.raw-body \(SHOULD\): 1 of 1 result failed: /);
    expect(warning?.message).toContain('finding: reserialized-body: ');
    expect(warning?.message).toContain(`reproduce: describeConformance("should", { ...options, seed: 1, checks: 'signature.raw-body', events: 'meeting.started' })`);
    expect(should.meta.conformance).toMatchObject({ check: 'signature.raw-body', level: 'SHOULD', results: [{ event: 'meeting.started', status: 'fail', finding: 'reserialized-body' }] });
    const strict = test('strict', 'signature.raw-body (SHOULD)');
    expect(strict.state).toBe('failed');
    expect(strict.errors[0]).toMatch(/^signature\.raw-body \(SHOULD\): 1 of 1 result failed: /);
    expect(test('strict', 'signature.wrong-secret (MUST)').state).toBe('passed');
  });

  it('fails a MUST check with each failing event, its finding (cause and fix) and the line that reproduces it', () => {
    const failed = main.tests.filter((entry) => entry.suite === 'other secret' && entry.state === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    const message = failed.find((entry) => entry.name.startsWith('acknowledgement.'))!.errors[0]!;
    expect(message).toMatch(/^acknowledgement\.[a-z-]+ \(MUST\): \d+ of \d+ results? failed: /);
    expect(message).toMatch(/^ {2}meeting\.started: .*status 401/m);
    expect(message).toMatch(/^ {4}finding: rejects-valid-signatures: .* Fix: /m);
    expect(message).toMatch(/^ {4}reproduce: describeConformance\("other secret", \{ \.\.\.options, seed: 1, checks: 'acknowledgement\.[a-z-]+', events: 'meeting\.started' \}\)$/m);
  });

  it('annotates failures a baseline accepts with the reason, and does not fail on them even with strict', () => {
    const accepted = test('baseline', 'signature.raw-body (SHOULD)');
    expect(accepted.state).toBe('passed');
    expect(accepted.annotations).toContainEqual({ type: 'notice', message: 'accepted by the baseline: meeting.started: our proxy re-encodes bodies (TICKET-7)' });
    expect(accepted.meta.conformance!.results[0]).toMatchObject({ status: 'fail', accepted: 'our proxy re-encodes bodies (TICKET-7)' });
    expect(main.tests.filter((entry) => entry.suite === 'baseline').every((entry) => entry.state === 'passed')).toBe(true);
  });

  it('skips a check that could not run, with the reason', () => {
    const skipped = test('skips', 'idempotency.applied-once (MUST)');
    expect(skipped.state).toBe('skipped');
    expect(skipped.note).toMatch(/^needs --observe URL/);
  });

  it('refuses options that do not hold when the file is collected, in one line', () => {
    expect(() => describeConformance('typo', { target: 'http://127.0.0.1:9/zoom/webhook', exampels: 2 } as unknown as DescribeConformanceOptions)).toThrow(
      /^describeConformance: unknown option "exampels" \(did you mean examples\?\)$/,
    );
    expect(() => describeConformance('unknown suite', { target: 'http://127.0.0.1:9/zoom/webhook', suites: 'nope' })).toThrow(/^describeConformance: suites: unknown suite "nope"/);
    expect(() => describeConformance('timeout', { target: 'http://127.0.0.1:9/zoom/webhook', timeout: -1 })).toThrow(/^describeConformance: timeout must be a whole number of milliseconds$/);
  });

  it('runs only the checks of the tests a -t filter keeps', () => {
    const filtered = runVitest('filtered.test.ts', ['-t', 'signature.raw-body']);
    expect(filtered.code).toBe(0);
    expect(filtered.tests.filter((entry) => entry.state === 'passed').map((entry) => entry.name)).toEqual(['signature.raw-body (SHOULD)']);
    const report = readReport(path.join(DIR, 'filtered-report'));
    expect([...new Set(report.checks.map((check) => check.id))]).toEqual(['signature.raw-body']);
  });
});
