/**
 * `--shard i/n` and `conformance merge`: the three shards of a seed, merged, are the unsharded run of that seed
 * (the same results in the same order, the same totals; timings aside), and together they send exactly the bodies
 * the unsharded run sends. Merge refuses reports of different runs, missing or repeated shards, and files that are
 * not reports, each with one line and exit code 2; given one report it renders it again.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShard, shardEvents } from '../job/shard.js';
import type { ConformanceReport } from '../reports/report.js';
import { WEBHOOK_SYSTEMS, loadBundledSpec } from '../specs/catalog.js';
import { startReceiver, type RunningReceiver } from './support/receivers.js';
import { findingLines, readReport, resultLines } from './support/report-files.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-shards-'));
const SEED = '31';
/** Three causes: the findings of the merged shards must be those of the whole run. */
const DEFECTS = 'prefix-compare,reserializes-json,body-limit-100kb';
let receiver: RunningReceiver;
let whole: ConformanceReport;
const shards: ConformanceReport[] = [];

async function run(name: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const args_ = ['--target', receiver.url, '--observe', receiver.observeUrl, '--seed', SEED, '--report', 'json', '--out', path.join(OUT, name), '--no-progress', ...args];
  return runMain(args_, { env: ENV });
}

beforeAll(async () => {
  // One receiver for every run (the same target, as on CI machines that each start it on the same port). Its planted
  // defects fail checks on every event (and one only on large bodies, which each shard sees a few of); it deduplicates
  // by body, so runs of one seed do not disturb each other.
  receiver = await startReceiver({ secret: SECRET, defect: DEFECTS });
  expect((await run('whole', [])).code).toBe(1);
  whole = readReport(path.join(OUT, 'whole'));
  for (const shard of ['1/3', '2/3', '3/3']) {
    await run(`shard-${shard[0]}`, ['--shard', shard]);
    shards.push(readReport(path.join(OUT, `shard-${shard[0]}`)));
  }
}, 120_000);

afterAll(async () => {
  await receiver.stop();
  rmSync(OUT, { recursive: true, force: true });
});

describe('--shard i/n', () => {
  it('slices the events deterministically: every n-th by system and name, disjoint, together all of them', () => {
    const events = WEBHOOK_SYSTEMS.map((system) => loadBundledSpec(system)).flatMap((spec) => spec.events);
    const slices = [1, 2, 3].map((index) => shardEvents(events, { index, count: 3 }).map((event) => event.name));
    expect(slices.map((slice) => slice.length)).toEqual([57, 56, 56]);
    expect(new Set(slices.flat()).size).toBe(events.length);
    expect(shardEvents([...events].reverse(), { index: 2, count: 3 }).map((event) => event.name)).toEqual(slices[1]);
    for (const [index, report] of shards.entries()) {
      expect(report.config.shard).toBe(`${index + 1}/3`);
      expect(report.config.events).toBe(169);
      const perEvent = new Set(report.checks.filter((check) => check.system !== null).map((check) => check.event));
      expect([...perEvent].sort()).toEqual([...slices[index]!].sort());
    }
    // The checks of the whole endpoint and the scenarios run once, in shard 1.
    const endpoint = (report: ConformanceReport) => report.checks.filter((check) => check.system === null).map((check) => `${check.id} ${check.event}`);
    expect(endpoint(shards[0]!)).toEqual(endpoint(whole));
    expect(endpoint(shards[0]!).length).toBeGreaterThan(10);
    expect(endpoint(shards[1]!)).toEqual([]);
    expect(endpoint(shards[2]!)).toEqual([]);
  });

  it('refuses a malformed shard: one line, exit 2', async () => {
    for (const value of ['0/3', '4/3', '3', 'a/b']) {
      const result = await runMain(['--target', receiver.url, '--shard', value], { env: ENV });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/--shard takes i\/n/);
    }
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
  });
});

describe('conformance merge', () => {
  it('merges shards 1/3, 2/3 and 3/3 into the unsharded run of the same seed (timings aside), and renders every format', async () => {
    const out = path.join(OUT, 'merged');
    const result = await runMain(['merge', ...[1, 2, 3].map((index) => path.join(OUT, `shard-${index}`)), '--report', 'html,junit,github', '--out', out], { env: ENV });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^merged shards 1\/3, 2\/3, 3\/3$/m);
    expect(result.stdout).toMatch(/FAIL MUST {3}signature\.truncated \(169 failures\)/);
    const merged = readReport(out);
    expect(resultLines(merged)).toEqual(resultLines(whole));
    expect(merged.checks.map((check) => check.reproduce)).toEqual(whole.checks.map((check) => check.reproduce));
    expect(merged.summary.total).toEqual(whole.summary.total);
    expect(merged.summary.byLevel).toEqual(whole.summary.byLevel);
    expect(merged.summary.bySuite).toEqual(whole.summary.bySuite);
    expect(merged.summary.verdict).toBe(whole.summary.verdict);
    expect(merged.summary.deliveries).toBe(whole.summary.deliveries);
    expect(merged.config).toEqual(whole.config);
    expect(merged.merged).toEqual({ shards: ['1/3', '2/3', '3/3'] });
    // The findings of the whole run, diagnosed again from the merged results (each shard alone saw a part of it).
    expect(findingLines(merged)).toEqual(findingLines(whole));
    expect(merged.findings.map((finding) => finding.id)).toEqual(['prefix-comparison', 'reserialized-body', 'body-size-limit']);
    expect(merged.checks.map((check) => check.finding ?? null)).toEqual(whole.checks.map((check) => check.finding ?? null));
    expect(merged.findings.reduce((sum, finding) => sum + finding.results, 0)).toBe(merged.summary.total.fail);
    // The body size limit is bracketed by the largest body accepted and the smallest refused in the whole run.
    const limit = (report: ConformanceReport) => report.findings.find((finding) => finding.id === 'body-size-limit')?.evidence.parameter;
    expect(limit(merged)).toEqual(limit(whole));
    expect(limit(merged)!.atLeast).toBeLessThanOrEqual(100 * 1024);
    expect(limit(merged)!.atMost).toBeGreaterThanOrEqual(100 * 1024);
    expect([merged.tool, merged.version, merged.target, merged.seed]).toEqual([whole.tool, whole.version, whole.target, whole.seed]);
    for (const file of ['conformance.html', 'conformance.junit.xml', 'github-summary.md']) expect(existsSync(path.join(out, file)), file).toBe(true);
  });

  it('the shards send exactly the bodies the unsharded run sends', async () => {
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        // The forgeries of url-validation sign a delivery at the current second: the clock aside, bytes are bytes.
        received.push(Buffer.concat(chunks).toString('latin1').replace(/v0:\d{10}:/g, 'v0:<now>:'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`;
    const bodies = async (args: string[]) => {
      await runMain(['--target', target, '--seed', SEED, '--no-progress', ...args], { env: ENV });
      return received.splice(0);
    };
    try {
      const unsharded = await bodies([]);
      const sharded = [...(await bodies(['--shard', '1/3'])), ...(await bodies(['--shard', '2/3'])), ...(await bodies(['--shard', '3/3']))];
      expect(unsharded.length).toBeGreaterThan(4000);
      expect(sharded.length).toBe(unsharded.length);
      expect(sharded.sort()).toEqual(unsharded.sort());
    } finally {
      server.close();
    }
  }, 60_000);

  describe('refuses what is not one run: one line, exit 2', () => {
    const variant = (name: string, from: number, change: (report: ConformanceReport) => void): string => {
      const dir = path.join(OUT, 'variants', name);
      mkdirSync(dir, { recursive: true });
      const report = structuredClone(shards[from - 1]!);
      change(report);
      writeFileSync(path.join(dir, 'conformance.json'), JSON.stringify(report));
      return dir;
    };
    const shard = (index: number) => path.join(OUT, `shard-${index}`);
    const brokenFile = () => {
      mkdirSync(path.join(OUT, 'variants'), { recursive: true });
      const file = path.join(OUT, 'variants', 'broken.json');
      writeFileSync(file, '{"tool": ');
      return file;
    };
    const cases: [string, () => string[], RegExp][] = [
      ['another seed', () => [shard(1), shard(2), variant('seed', 3, (report) => (report.seed = 32))], /is not from the same run as .*: seed 32 differs from 31/],
      ['another target', () => [shard(1), variant('target', 2, (report) => (report.target = 'http://127.0.0.1:1/other')), shard(3)], /target "http:\/\/127\.0\.0\.1:1\/other" differs/],
      ['another tool version', () => [shard(1), shard(2), variant('version', 3, (report) => (report.version = '9.9.9'))], /version "9\.9\.9" differs/],
      ['other options', () => [shard(1), shard(2), variant('examples', 3, (report) => (report.config.examples = 5))], /config\.examples 5 differs from 2/],
      ['a missing shard', () => [shard(1), shard(3)], /missing shard 2\/3: a merged report must hold the whole run/],
      ['a shard twice', () => [shard(1), shard(2), shard(2), shard(3)], /shard 2\/3 is given twice/],
      ['shards of another n', () => [shard(1), shard(2), variant('n', 3, (report) => (report.config.shard = '3/4'))], /is shard 3\/4, but .* is one of 3/],
      ['an unsharded report with shards', () => [path.join(OUT, 'whole'), shard(2), shard(3)], /is not a shard \(run with --shard i\/n\)/],
      ['a file that is not JSON', () => [shard(1), brokenFile(), shard(3)], /is not JSON/],
      ['JSON that is not a report', () => [shard(1), variant('shape', 2, (report) => Object.assign(report, { extra: true })), shard(3)], /is not a conformance report of this version \(\/: must NOT have additional properties\)/],
      ['a folder without a report', () => [shard(1), OUT], /cannot read .*conformance\.json/],
      ['a path that does not exist', () => [shard(1), path.join(OUT, 'nowhere')], /does not exist/],
    ];
    for (const [name, inputs, message] of cases) {
      it(name, async () => {
        const out = path.join(OUT, 'refused', name.replace(/\W+/g, '-'));
        const result = await runMain(['merge', ...inputs(), '--out', out], { env: ENV });
        expect(result.code).toBe(2);
        const lines = result.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^conformance: merge: /);
        expect(lines[0]).toMatch(message);
        expect(existsSync(out)).toBe(false);
      });
    }
  });

  it('given one report, renders it again in other formats', async () => {
    const out = path.join(OUT, 'rerendered');
    cpSync(path.join(OUT, 'whole'), out, { recursive: true });
    const result = await runMain(['merge', out, '--report', 'html,junit', '--out', out], { env: ENV });
    expect(result.code).toBe(1);
    expect(readFileSync(path.join(out, 'conformance.json'), 'utf8')).toBe(readFileSync(path.join(OUT, 'whole', 'conformance.json'), 'utf8'));
    expect(existsSync(path.join(out, 'conformance.html'))).toBe(true);
    // Every result, and the findings behind the failures (testcases of the findings suite).
    const tests = whole.checks.length + whole.findings.length;
    expect(whole.findings.length).toBe(3);
    expect(readFileSync(path.join(out, 'conformance.junit.xml'), 'utf8')).toMatch(new RegExp(String.raw`<testsuites name="zoom-conformance http://127\.0\.0\.1:\d+/zoom/webhook" tests="${tests}"`));
  });
});
