/**
 * The npm tarball, installed into an empty folder (optional dependencies left out: no Prism), and into a project with
 * vitest, Express, Hono and TypeScript beside it, as a user's project has them:
 * - `npx conformance` works in the first, and `mock-api` says Prism is missing;
 * - `zoom-conformance/vitest`: describeConformance passes the compliant Express app in process and a Hono fetch
 *   handler, and fails the Express app configured with another secret (MUST tests failing with the finding and the
 *   reproduce line);
 * - `zoom-conformance`: runConformance, generateDeliveries and signDelivery work from the installed package, and a
 *   TypeScript file using them type-checks against the installed declarations (and misuses do not);
 * - a conformance.config.ts without tsx installed is one line saying what to do.
 * The project's example sources are copied in, as a user copies them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'conformance-pack-'));
const packDir = path.join(work, 'pack');
const appDir = path.join(work, 'app');
let tarball: string;
afterAll(() => rmSync(work, { recursive: true, force: true }));

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = { encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
const SECRET = 'pack-test-secret';

/** The versions this repository installed (so that the install is served from the npm cache). */
function installed(name: string): string {
  return `${name}@${(JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`;
}

const PASSING = `
import { describe, expect, it } from 'vitest';
import { describeConformance } from 'zoom-conformance/vitest';
import { challengeDelivery, checkChallengeAnswer, generateDeliveries, runConformance, signDelivery } from 'zoom-conformance';
import { createZoomExpressApp } from './src/frameworks/express.js';
import { createZoomHonoApp } from './src/frameworks/hono.js';
import { challengeResponse, verifyZoomSignature } from './src/receivers/compliant.js';

const secret = ${JSON.stringify(SECRET)};
const common = { secret, systems: 'rtms', seed: 11, path: '/zoom/webhook', observe: '/zoom/observe', strict: true };

describeConformance('Express app in process', { ...common, target: createZoomExpressApp({ secretToken: secret, observer: true }) });
describeConformance('Hono fetch handler', { ...common, target: createZoomHonoApp({ secretToken: secret, observer: true }).fetch });

describe('the library', () => {
  it('runConformance resolves to the report', async () => {
    const report = await runConformance({ ...common, target: createZoomExpressApp({ secretToken: secret, observer: true }), suites: ['signature'] });
    expect(report.summary.verdict).toBe('pass');
    expect(report.reportVersion).toBe(2);
    expect(report.checks.length).toBeGreaterThan(100);
    expect(report.target).toBe('in-process request listener at /zoom/webhook');
  });

  it('generateDeliveries and signDelivery give what the receiver verifies', () => {
    const [delivery] = generateDeliveries('meeting.started', { count: 1, seed: 3 });
    const headers = signDelivery(delivery.body, secret);
    expect(verifyZoomSignature(delivery.body, headers, secret, 300, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    const challenge = challengeDelivery(secret);
    expect(checkChallengeAnswer({ status: 200, body: JSON.stringify(challengeResponse(challenge.plainToken, secret)) }, { plainToken: challenge.plainToken, secret })).toEqual({ ok: true });
  });
});
`;

const FAILING = `
import { describeConformance } from 'zoom-conformance/vitest';
import { createZoomExpressApp } from './src/frameworks/express.js';

describeConformance('signed with another secret', {
  target: createZoomExpressApp({ secretToken: 'not-the-secret' }),
  path: '/zoom/webhook',
  secret: ${JSON.stringify(SECRET)},
  systems: 'rtms',
  suites: 'acknowledgement,signature',
  seed: 12,
});
`;

const TYPES = `
import { defineConfig, listChecks, runConformance, signDelivery, type ConformanceOptions, type ConformanceReport, type Finding } from 'zoom-conformance';
import { describeConformance } from 'zoom-conformance/vitest';

const options: ConformanceOptions = {
  target: async (request: Request) => new Response(await request.text()),
  suites: ['signature', 'idempotency'],
  retryAfter: '5m',
  observe: (event: string, eventTs: number) => event.length + eventTs,
  headers: { 'x-api-key': 'k' },
};

export async function verdict(): Promise<string> {
  const report: ConformanceReport = await runConformance(options);
  const findings: Finding[] = report.findings;
  const headers: Record<string, string> = signDelivery('{"event":"x"}', 'secret', { timestamp: new Date() });
  return report.summary.verdict + findings.length + headers['x-zm-signature'] + listChecks()[0]!.level;
}

export function register(): void {
  describeConformance('typed', { ...options, strict: true, timeout: 60_000 });
}

export const config = defineConfig({ target: 'http://localhost:3000/zoom/webhook', allFailures: true });

// @ts-expect-error examples is a number
export const wrongType: ConformanceOptions = { target: 'http://localhost', examples: '2' };
// @ts-expect-error no such option
export const typo = defineConfig({ target: 'http://localhost', exampels: 2 });
// @ts-expect-error a verdict is pass or fail
export const maybe: ConformanceReport['summary']['verdict'] = 'maybe';
// @ts-expect-error the body must be bytes or text
signDelivery({ event: 'x' }, 'secret');
`;

beforeAll(() => {
  mkdirSync(packDir, { recursive: true });
  mkdirSync(appDir, { recursive: true });
  execFileSync(npm, ['pack', '--pack-destination', packDir], { ...quiet, cwd: REPO_ROOT });
  const packed = readdirSync(packDir).find((name) => name.endsWith('.tgz'));
  if (!packed) throw new Error('npm pack wrote no tarball');
  tarball = path.join(packDir, packed);
  // A user's project: the package beside vitest (whose bundler needs its optional native binding), Express, Hono, TypeScript.
  writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
  const beside = ['vitest', 'express', 'hono', 'typescript', '@types/node', '@types/express'].map(installed);
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...beside], { ...quiet, cwd: appDir });
  for (const file of ['examples/receivers/compliant.ts', 'examples/receivers/command-line.ts', 'examples/frameworks/express.ts', 'examples/frameworks/hono.ts']) {
    const target = path.join(appDir, 'src', file.replace(/^examples\//, ''));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, file), target);
  }
  writeFileSync(path.join(appDir, 'passing.test.ts'), PASSING);
  writeFileSync(path.join(appDir, 'failing.test.ts'), FAILING);
  writeFileSync(path.join(appDir, 'types.ts'), TYPES);
  writeFileSync(
    path.join(appDir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], skipLibCheck: true }, files: ['types.ts'] }),
  );
}, 300_000);

interface VitestJson {
  testResults: { assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[] }[];
}

function vitest(file: string): { code: number | null; results: VitestJson['testResults'][number]['assertionResults']; output: string } {
  const outputFile = path.join(appDir, `${file}.json`);
  const run = spawnSync(process.execPath, [path.join(appDir, 'node_modules/vitest/vitest.mjs'), 'run', file, '--reporter=json', `--outputFile=${outputFile}`], {
    cwd: appDir,
    env: { ...process.env, NO_COLOR: '1', ZOOM_WEBHOOK_SECRET_TOKEN: '' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  let json: VitestJson;
  try {
    json = JSON.parse(readFileSync(outputFile, 'utf8')) as VitestJson;
  } catch {
    throw new Error(`vitest run ${file} wrote no results (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  }
  return { code: run.status, results: json.testResults.flatMap((entry) => entry.assertionResults), output: `${run.stdout}${run.stderr}` };
}

describe('the npm tarball', () => {
  it('installs into an empty folder (optional dependencies left out) and `npx conformance list` works there; mock-api says Prism is missing', () => {
    const bare = path.join(work, 'bare');
    mkdirSync(bare);
    writeFileSync(path.join(bare, 'package.json'), JSON.stringify({ name: 'bare', version: '1.0.0', private: true }));
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--omit=optional', '--prefer-offline', tarball], { ...quiet, cwd: bare });
    const out = execFileSync('npx', ['--no-install', 'conformance', 'list', '--system', 'rtms'], { ...quiet, cwd: bare });
    expect(out).toContain('14 events, 0 operations in 1 spec');
    const json = JSON.parse(execFileSync('npx', ['--no-install', 'conformance', 'list', '--json'], { ...quiet, cwd: bare })) as unknown[];
    expect(json).toHaveLength(169 + 38);
    // Prism (for `mock-api`) is an optional dependency; left out (as here, to keep this install fast), the command
    // says so in one line and exits 2.
    const bin = path.join(bare, 'node_modules', 'zoom-conformance', 'bin', 'conformance.js');
    const mock = spawnSync(process.execPath, [bin, 'mock-api', '--port', '0'], { ...quiet, cwd: bare, timeout: 30_000 });
    expect(mock.status).toBe(2);
    expect(mock.stderr).toMatch(/^conformance: Prism is not installed \(@stoplight\/prism-cli, an optional dependency left out by --omit=optional\): npm install @stoplight\/prism-cli@~5\.14\.2\n$/);
  }, 120_000);

  it('zoom-conformance/vitest passes the compliant Express app in process and a Hono fetch handler; the library works from the package', () => {
    const { code, results, output } = vitest('passing.test.ts');
    expect(code, output).toBe(0);
    const express = results.filter((result) => result.ancestorTitles[0] === 'Express app in process');
    const hono = results.filter((result) => result.ancestorTitles[0] === 'Hono fetch handler');
    expect(express.length).toBeGreaterThan(30);
    expect(hono.length).toBe(express.length);
    for (const result of [...express, ...hono]) expect(['passed', 'skipped'], result.title).toContain(result.status);
    expect(express.filter((result) => result.status === 'passed').length).toBeGreaterThan(30);
    expect(results.filter((result) => result.ancestorTitles[0] === 'the library').map((result) => result.status)).toEqual(['passed', 'passed']);
  }, 240_000);

  it('zoom-conformance/vitest fails the Express app configured with another secret: MUST tests fail with the finding and the reproduce line', () => {
    const { code, results } = vitest('failing.test.ts');
    expect(code).toBe(1);
    const failed = results.filter((result) => result.status === 'failed');
    expect(failed.map((result) => result.title)).toEqual(expect.arrayContaining(['acknowledgement.valid-delivery (MUST)']));
    const message = failed.find((result) => result.title === 'acknowledgement.valid-delivery (MUST)')!.failureMessages[0]!;
    expect(message).toContain('finding: rejects-valid-signatures: ');
    expect(message).toMatch(/reproduce: describeConformance\("signed with another secret", \{ \.\.\.options, seed: 12, checks: 'acknowledgement\.valid-delivery', events: '[a-z_.]+' \}\)/);
    expect(failed.every((result) => result.title.endsWith('(MUST)'))).toBe(true);
  }, 240_000);

  it('type-checks a TypeScript file against the installed declarations, and refuses misuses', () => {
    const tsc = spawnSync(process.execPath, [path.join(appDir, 'node_modules/typescript/bin/tsc'), '-p', appDir], { ...quiet, cwd: appDir, timeout: 120_000 });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('says in one line that conformance.config.ts needs tsx when the project has none', () => {
    const dir = path.join(appDir, 'with-ts-config');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'conformance.config.ts'), `export default { target: 'http://127.0.0.1:9/zoom/webhook' } as const;\n`);
    const bin = path.join(appDir, 'node_modules', 'zoom-conformance', 'bin', 'conformance.js');
    const result = spawnSync(process.execPath, [bin], { ...quiet, cwd: dir, timeout: 30_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^conformance: conformance\.config\.ts: Node 20\.\d+\.\d+ cannot load TypeScript by itself: install tsx in your project \(npm install --save-dev tsx\), or write conformance\.config\.mjs\n$/);
  });
});
