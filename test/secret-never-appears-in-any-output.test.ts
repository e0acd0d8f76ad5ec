/**
 * The secret token never leaves the tool: a receiver that echoes it back in a header and in every body, runs in
 * GitHub Actions mode writing every report format, sharded runs and their merge, and `--secret` on the command line;
 * then every file written, the job summary, and everything printed on stdout and stderr is searched for it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startHostileReceiver } from './support/hostile-receiver.js';
import { readReport } from './support/report-files.js';
import { runCli, type CliResult } from './support/run-cli.js';

const SECRET = `SeCrEtToKeN${randomBytes(12).toString('hex')}`;
const WORK = mkdtempSync(path.join(os.tmpdir(), 'conformance-secret-'));

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

it('appears in no report, log line or console output', async () => {
  const receiver = await startHostileReceiver(SECRET);
  const summary = path.join(WORK, 'step-summary.md');
  writeFileSync(summary, '');
  const env = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
  const outputs: CliResult[] = [];
  const cli = async (args: string[], extraEnv: NodeJS.ProcessEnv = env) => {
    const result = await runCli(args, { cwd: WORK, env: extraEnv, timeoutMs: 120_000 });
    outputs.push(result);
    return result;
  };
  const common = ['--target', receiver.url, '--seed', '4', '--system', 'video-sdk,rtms', '--report', 'json,junit,html,github', '--all-failures', '--no-progress'];
  try {
    const whole = await cli([...common, '--out', 'whole']);
    expect(whole.code).toBe(1);
    expect(whole.stdout).toMatch(/^::error title=MUST /m);
    for (const shard of [1, 2]) await cli([...common, '--shard', `${shard}/2`, '--out', `shard-${shard}`]);
    const merged = await cli(['merge', 'shard-1', 'shard-2', '--report', 'junit,html,github', '--out', 'merged']);
    expect(merged.stdout).toMatch(/^merged shards 1\/2, 2\/2$/m);
    // The secret given on the command line instead of the environment.
    const { ZOOM_WEBHOOK_SECRET_TOKEN: _secret, ...withoutSecret } = env;
    await cli([...common, '--secret', SECRET, '--events', 'session.*', '--out', 'flag'], withoutSecret);
  } finally {
    await receiver.stop();
  }

  // The receiver did send it back, and the reports show where, redacted.
  const report = readReport(path.join(WORK, 'whole'));
  const echoed = report.checks.flatMap((check) => check.exchanges).find((exchange) => exchange.response?.headers?.['x-echo-secret']);
  expect(echoed?.response?.headers?.['x-echo-secret']).toBe('[redacted]');
  expect(echoed?.response?.body?.text).toContain('secret=[redacted]');

  const files = filesUnder(WORK);
  expect(files.map((file) => path.relative(WORK, file)).sort()).toEqual(
    expect.arrayContaining(['step-summary.md', 'whole/conformance.json', 'whole/conformance.junit.xml', 'whole/conformance.html', 'whole/github-summary.md', 'merged/conformance.html', 'flag/conformance.json']),
  );
  expect(files.length).toBeGreaterThanOrEqual(21);
  for (const file of files) expect(readFileSync(file).includes(SECRET), path.relative(WORK, file)).toBe(false);
  expect(readFileSync(summary, 'utf8')).toMatch(/FAIL: Zoom webhook conformance/);
  for (const output of outputs) {
    expect(output.stdout).not.toContain(SECRET);
    expect(output.stderr).not.toContain(SECRET);
  }
}, 240_000);
