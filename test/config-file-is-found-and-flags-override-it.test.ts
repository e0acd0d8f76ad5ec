/**
 * Configuration files of the main job: conformance.config.json, .mjs or .ts, or the "conformance" key of
 * package.json, found from the working folder upward; --config names one, --no-config reads none. Flags override the
 * file (and ZOOM_WEBHOOK_SECRET_TOKEN its secret); paths in a file start from its folder; a module may give an
 * in-process target; an unknown key, a bad value or two files in one folder is one line naming the file, exit 2.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/paths.js';
import { readReport } from './support/report-files.js';
import { startReceiver, type RunningReceiver } from './support/receivers.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ROOT = mkdtempSync(path.join(os.tmpdir(), 'conformance-config-'));
let receiver: RunningReceiver;

beforeAll(async () => {
  receiver = await startReceiver({ secret: SECRET });
});
afterAll(async () => {
  await receiver.stop();
  rmSync(ROOT, { recursive: true, force: true });
});

/** A fresh project folder holding `files`, with a nested folder to run from. */
function project(name: string, files: Record<string, string | object>): { dir: string; nested: string } {
  const dir = path.join(ROOT, name);
  const nested = path.join(dir, 'src', 'webhooks');
  mkdirSync(nested, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return { dir, nested };
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET }) {
  return runMain([...args, '--no-progress'], { env, cwd });
}

/** The header's second line: seed, events, systems, suites, observer. */
function header(stdout: string): string {
  return stdout.split('\n')[1] ?? '';
}

describe('a configuration file', () => {
  it('is found from the working folder upward, and each flag given overrides its option', async () => {
    const { nested } = project('json', {
      'conformance.config.json': { target: receiver.url, seed: 99, events: ['meeting.started'], suites: 'signature,acknowledgement', examples: 1, strict: true },
    });
    const fromFile = await run([], nested);
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    expect(header(fromFile.stdout)).toBe('seed 99 · 1 events (meetings, video-sdk, qss, rtms) · suites: acknowledgement, signature · observer: none');
    expect(fromFile.stdout).toMatch(/^PASS no MUST failure and no SHOULD failure/m);
    const overridden = await run(['--seed', '5', '--suite', 'signature', '--events', 'meeting.ended'], nested);
    expect(overridden.code).toBe(0);
    expect(header(overridden.stdout)).toBe('seed 5 · 1 events (meetings, video-sdk, qss, rtms) · suites: signature · observer: none');
    // --no-config reads none: without a target, the help (exit 2).
    const without = await run(['--no-config'], nested);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('Usage: conformance --target URL');
  });

  it('as the "conformance" key of package.json, or named with --config; its paths start from its own folder', async () => {
    const { dir, nested } = project('package', {
      'package.json': { name: 'my-receiver', version: '1.0.0', conformance: { target: receiver.url, spec: 'specs/mine.json', report: ['json'], out: 'reports', seed: 3 } },
      'other.json': { target: receiver.url, events: 'meeting.started', seed: 4 },
    });
    mkdirSync(path.join(dir, 'specs'));
    copyFileSync(path.join(REPO_ROOT, 'test/fixtures/user-spec.paths.json'), path.join(dir, 'specs', 'mine.json'));
    const fromPackage = await run([], nested);
    expect(fromPackage.stderr).toBe('');
    expect(header(fromPackage.stdout)).toMatch(/^seed 3 · \d+ events \(mine\) · /);
    expect(fromPackage.stdout).toContain(`report: ${path.join('..', '..', 'reports', 'conformance.json')}`);
    const report = readReport(path.join(dir, 'reports'));
    expect(report.config.systems).toEqual(['mine']);
    // The reproduce lines repeat the spec as the run found it, from the working folder.
    expect(report.checks[0]!.reproduce).toContain(`--spec ${path.join('..', '..', 'specs', 'mine.json')}`);

    const named = await run(['--config', path.join('..', '..', 'other.json')], nested);
    expect(named.code).toBe(0);
    expect(header(named.stdout)).toMatch(/^seed 4 · 1 events /);
  });

  it('as a module: options from a function, and an in-process target with its observer', async () => {
    const receiverModule = pathToFileURL(path.join(REPO_ROOT, 'examples/receivers/compliant.ts')).href;
    const { nested } = project('module', {
      'conformance.config.mjs': [
        `import { createZoomRequestHandler } from ${JSON.stringify(receiverModule)};`,
        `export default async () => ({`,
        `  target: createZoomRequestHandler({ secretToken: ${JSON.stringify(SECRET)} }),`,
        `  path: '/zoom/webhook',`,
        `  observe: '/zoom/observe',`,
        `  events: 'meeting.started',`,
        `  seed: 8,`,
        `});`,
      ].join('\n'),
    });
    const result = await run([], nested);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/→ in-process request listener at \/zoom\/webhook$/);
    expect(header(result.stdout)).toBe('seed 8 · 1 events (meetings, video-sdk, qss, rtms) · suites: url-validation, acknowledgement, signature, idempotency, robustness · observer: yes');
    expect(result.stdout).not.toMatch(/^SKIP idempotency\.applied-once/m);
  });

  it('as TypeScript, loaded through tsx (Node 20 has no loader of its own)', async () => {
    const { nested } = project('typescript', {
      'conformance.config.ts': [`const seed: number = 12;`, `export default { target: ${JSON.stringify(receiver.url)}, seed, events: 'meeting.started' } satisfies Record<string, unknown>;`].join('\n'),
    });
    const result = await run([], nested);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(header(result.stdout)).toMatch(/^seed 12 · 1 events /);
  });

  it('gives its secret only when neither --secret nor ZOOM_WEBHOOK_SECRET_TOKEN does', async () => {
    const { nested } = project('secret', { 'conformance.config.json': { target: receiver.url, secret: 'not-the-secret', events: 'meeting.started', checks: 'acknowledgement.*', seed: 1 } });
    expect((await run([], nested)).code).toBe(0);
    const fromFile = await run([], nested, {});
    expect(fromFile.code).toBe(1);
    expect(fromFile.stdout).toMatch(/^FAIL MUST {3}acknowledgement\./m);
    expect((await run(['--secret', SECRET], nested, {})).code).toBe(0);
  });

  it('that does not hold is one line naming the file, exit 2, before anything is sent', async () => {
    const cases: [string, Record<string, string | object>, RegExp][] = [
      ['typo', { 'conformance.config.json': { target: receiver.url, exampels: 3 } }, /^conformance: conformance\.config\.json: unknown option "exampels" \(did you mean examples\?\)\n$/],
      ['range', { 'conformance.config.json': { target: receiver.url, examples: 0 } }, /^conformance: conformance\.config\.json: examples must be a whole number from 1 to 1000, got 0\n$/],
      ['type', { 'conformance.config.json': { target: receiver.url, strict: 'yes' } }, /^conformance: conformance\.config\.json: strict must be true or false, got "yes"\n$/],
      ['secret', { 'conformance.config.json': { target: receiver.url, secret: 42 } }, /^conformance: conformance\.config\.json: secret must be a non-empty string\n$/],
      ['duration', { 'conformance.config.json': { target: receiver.url, retryAfter: '2 weeks' } }, /^conformance: conformance\.config\.json: retryAfter must be milliseconds .* or a time such as 2s, 5m or 1500ms, got "2 weeks"\n$/],
      ['not-json', { 'conformance.config.json': '{ target: ' }, /^conformance: conformance\.config\.json: not JSON \(/],
      ['function-in-json', { 'conformance.config.json': { target: { fetch: 1 } } }, /^conformance: conformance\.config\.json: target must be a URL string, got an object\n$/],
      ['suite', { 'conformance.config.json': { target: receiver.url, suites: ['nope'] } }, /^conformance: suites \(conformance\.config\.json\): unknown suite "nope" \(known: /],
      ['two', { 'conformance.config.json': { target: receiver.url }, 'conformance.config.mjs': 'export default {}' }, /^conformance: conformance\.config\.json and conformance\.config\.mjs both configure conformance: keep one \(or name one with --config\)\n$/],
      ['no-default', { 'conformance.config.mjs': 'export const target = 1;' }, /^conformance: conformance\.config\.mjs has no default export: export default \{ target: \.\.\., \.\.\. \}\n$/],
      ['throws', { 'conformance.config.mjs': 'throw new Error("boom");' }, /^conformance: conformance\.config\.mjs: cannot load it: boom\n$/],
    ];
    for (const [name, files, message] of cases) {
      const { dir } = project(`bad-${name}`, files);
      const result = await run([], dir);
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toMatch(message);
      expect(result.stdout, name).toBe('');
    }
    const missing = await run(['--config', 'nowhere.json'], ROOT);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('conformance: --config nowhere.json: no such file\n');
  });
});
