/**
 * However a long-running command is stopped, it stops cleanly:
 * - started exactly as CI scripts do (`npx conformance mock-api &`, `npx conformance fuzz ... &` from a shell
 *   script, in a project that has the tool installed) and stopped with `kill $PID` of npx, which never reaches the
 *   tool (npx runs it through `sh -c`): no conformance or Prism process is left and the port is free within 3 s;
 * - killed with SIGKILL, mock-api leaves no Prism behind (Prism watches its parent);
 * - Ctrl-C (SIGINT to the process group) and SIGTERM during a run and during fuzz: the reports of what ran are
 *   written and marked "stopped by signal", the checks not reached are skipped with that reason, a failure being
 *   shrunk is saved, the summary is printed, and the exit code is 130 or 143;
 * - a second signal exits at once.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect, isRunning } from '../engine/server-process.js';
import type { ConformanceReport } from '../reports/report.js';
import { startChild } from './support/child-process.js';
import { CLI, REPO_ROOT } from './support/paths.js';
import { startReceiver, type RunningReceiver } from './support/receivers.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: SECRET, NO_COLOR: '1' };
const WORK = mkdtempSync(path.join(os.tmpdir(), 'conformance-stops-'));
/** What the issue allows from `kill` to nothing left. */
const GONE_WITHIN_MS = 3000;

/** A project that has the tool installed, as a user's: `npx conformance` finds node_modules/.bin/conformance. */
function userProject(name: string): string {
  const dir = path.join(WORK, name);
  mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name": "a-receiver", "private": true}\n');
  symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'zoom-conformance'));
  symlinkSync('../zoom-conformance/bin/conformance.js', path.join(dir, 'node_modules', '.bin', 'conformance'));
  return dir;
}

/** PIDs of the processes whose command line contains `text`. */
function processesWith(text: string): number[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => line.includes(text) && !line.includes('ps -eo')).map((line) => Number(line.trim().split(/\s+/)[0]));
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Polls until `done` holds; resolves with the milliseconds it took, or rejects after `ms`. */
async function within(ms: number, what: string, done: () => Promise<boolean> | boolean): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await done()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function waitForText(file: string, pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const look = () => {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        // not written yet
      }
      const match = text.match(pattern);
      if (match) return resolve(match);
      if (Date.now() - started > ms) return reject(new Error(`${file} did not show ${pattern} within ${ms} ms:\n${text}`));
      setTimeout(look, 50);
    };
    look();
  });
}

/**
 * Runs `script` with sh in `dir`: it starts `npx conformance ARGS &` (output to log.txt), waits for `ready` in
 * the log, kills npx with SIGTERM and exits at once. Resolves when the script has exited (npx may outlive it).
 */
async function startWithNpxThenKill(dir: string, args: string, ready: RegExp): Promise<{ log: string; killedAt: number }> {
  const log = path.join(dir, 'log.txt');
  const script = path.join(dir, 'ci-step.sh');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `npx conformance ${args} > log.txt 2>&1 &`,
      'PID=$!',
      `for i in $(seq 300); do grep -qE '${ready.source}' log.txt 2>/dev/null && break; sleep 0.1; done`,
      'kill $PID',
      '',
    ].join('\n'),
  );
  const child = spawn('sh', [script], { cwd: dir, env: ENV, stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  await waitForText(log, ready, 1);
  return { log, killedAt: performance.now() };
}

function readReport(dir: string): ConformanceReport {
  return JSON.parse(readFileSync(path.join(dir, 'conformance.json'), 'utf8')) as ConformanceReport;
}

/** The built CLI in its own process group (so that a signal can go to the group, as Ctrl-C sends it). */
function startTool(args: string[], cwd = WORK): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exit };
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  await within(ms, what, condition);
}

let receiver: RunningReceiver;
/** Answers every request 200 after 250 ms: a run against it lasts long enough to be interrupted. */
let slow: http.Server;
let slowUrl: string;

beforeAll(async () => {
  receiver = await startReceiver({ secret: SECRET });
  slow = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(200).end(), 250));
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/zoom/webhook`;
}, 30_000);

afterAll(async () => {
  await receiver?.stop();
  slow?.closeAllConnections();
  await new Promise((resolve) => slow?.close(resolve));
  rmSync(WORK, { recursive: true, force: true });
});

describe('started with npx from a shell script, then `kill $PID` of npx', () => {
  it('mock-api: no conformance or Prism process is left and the port is free within 3 s', async () => {
    const dir = userProject('npx-mock-api');
    const { log, killedAt } = await startWithNpxThenKill(dir, 'mock-api --port 0', /listening on/);
    const [, port, prismPid] = (await waitForText(log, /listening on http:\/\/127\.0\.0\.1:(\d+) \(Prism [^,]+, pid (\d+);/, 1)).map(Number);
    await within(GONE_WITHIN_MS - (performance.now() - killedAt), 'mock-api and Prism gone, port free', async () => {
      return processesWith(dir).length === 0 && !isRunning(prismPid!) && !(await canConnect('127.0.0.1', port!, 200)) && (await portIsFree(port!));
    });
    console.log(`npx mock-api: nothing left ${Math.round(performance.now() - killedAt)} ms after kill`);
    expect(readFileSync(log, 'utf8')).toContain('mock-api: stopped: the parent process exited (as on SIGTERM)');
  });

  it('fuzz --duration 60s: it stops within 3 s, with the report of what ran written and marked', async () => {
    const dir = userProject('npx-fuzz');
    const out = path.join(dir, 'report');
    const { log, killedAt } = await startWithNpxThenKill(
      dir,
      `fuzz --target ${receiver.url} --duration 60s --concurrency 2 --no-progress --report json --out report`,
      /fuzzing: /,
    );
    await within(GONE_WITHIN_MS - (performance.now() - killedAt), 'fuzz gone', () => processesWith(dir).length === 0);
    console.log(`npx fuzz: nothing left ${Math.round(performance.now() - killedAt)} ms after kill`);
    const printed = readFileSync(log, 'utf8');
    expect(existsSync(path.join(out, 'conformance.json')), printed).toBe(true);
    expect(readReport(out).stopped).toBe('stopped: the parent process exited (as on SIGTERM)');
    expect(printed).toMatch(/stopped early: stopped: the parent process exited/);
  });
});

describe('killed without a chance to stop its children', () => {
  it('mock-api killed with SIGKILL leaves no Prism and a free port within 3 s', async () => {
    const tool = await startChild(process.execPath, [CLI, 'mock-api', '--port', '0'], { cwd: WORK, env: ENV, label: 'mock-api' });
    const match = await tool.waitForStdout(/listening on http:\/\/127\.0\.0\.1:(\d+) \(Prism [^,]+, pid (\d+);/, 20_000);
    const [port, prismPid] = [Number(match[1]), Number(match[2])];
    process.kill(tool.pid, 'SIGKILL');
    await within(GONE_WITHIN_MS, 'Prism gone, port free', async () => !isRunning(prismPid) && (await portIsFree(port)));
    await tool.stop();
  });
});

describe('SIGINT and SIGTERM during a run and during fuzz', () => {
  it('Ctrl-C (SIGINT to the process group) during a run: reports written and marked, the rest skipped, exit 130', async () => {
    const out = path.join(WORK, 'run-sigint');
    const tool = startTool(['--target', slowUrl, '--system', 'rtms', '--concurrency', '2', '--report', 'json,html', '--out', out]);
    await until(() => /progress: \d+\/\d+ probes, [1-9]\d* deliveries/.test(tool.output().stderr), 20_000, 'deliveries under way');
    process.kill(-tool.child.pid!, 'SIGINT');
    const signalled = performance.now();
    expect(await tool.exit).toBe(130);
    expect(performance.now() - signalled).toBeLessThan(GONE_WITHIN_MS);
    const report = readReport(out);
    expect(report.stopped).toBe('stopped by signal (SIGINT)');
    expect(report.checks.some((check) => check.status === 'skip' && check.reason === 'not reached: stopped by signal (SIGINT)')).toBe(true);
    // The target answers everything within 250 ms: deliveries cut off by the stop are judged nowhere.
    expect(report.checks.flatMap((check) => check.exchanges).filter((exchange) => exchange.error)).toEqual([]);
    expect(readFileSync(path.join(out, 'conformance.html'), 'utf8')).toContain('stopped by signal (SIGINT)');
    const { stdout } = tool.output();
    expect(stdout).toContain('stopped early: stopped by signal (SIGINT)');
    expect(stdout).toMatch(/^(PASS|FAIL) /m);
  });

  it('SIGTERM during a run: exit 143, report marked', async () => {
    const out = path.join(WORK, 'run-sigterm');
    const tool = startTool(['--target', slowUrl, '--system', 'rtms', '--concurrency', '2', '--report', 'json', '--out', out]);
    await until(() => /progress: \d+\/\d+ probes, [1-9]\d* deliveries/.test(tool.output().stderr), 20_000, 'deliveries under way');
    tool.child.kill('SIGTERM');
    expect(await tool.exit).toBe(143);
    expect(readReport(out).stopped).toBe('stopped by signal (SIGTERM)');
  });

  it('SIGTERM during an API contract run: exit 143, report marked', async () => {
    const out = path.join(WORK, 'api-sigterm');
    const tool = startTool(['api', '--target', slowUrl.replace('/zoom/webhook', ''), '--examples', '20', '--concurrency', '1', '--report', 'json', '--out', out]);
    await until(() => /progress: \d+\/\d+ probes, [1-9]\d* deliveries/.test(tool.output().stderr), 20_000, 'requests under way');
    tool.child.kill('SIGTERM');
    expect(await tool.exit).toBe(143);
    const report = readReport(out);
    expect(report.stopped).toBe('stopped by signal (SIGTERM)');
    expect(report.checks.some((check) => check.status === 'skip' && check.reason === 'not reached: stopped by signal (SIGTERM)')).toBe(true);
  });

  it('SIGTERM during fuzz: exit 143, the report of what ran is written and marked', async () => {
    const out = path.join(WORK, 'fuzz-sigterm');
    const tool = startTool(['fuzz', '--target', receiver.url, '--duration', '60s', '--concurrency', '2', '--report', 'json', '--out', out]);
    await until(() => /fuzzing: /.test(tool.output().stdout), 20_000, 'fuzzing under way');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    tool.child.kill('SIGTERM');
    const signalled = performance.now();
    expect(await tool.exit).toBe(143);
    expect(performance.now() - signalled).toBeLessThan(GONE_WITHIN_MS);
    const report = readReport(out);
    expect(report.stopped).toBe('stopped by signal (SIGTERM)');
    expect(report.checks.some((check) => check.status === 'pass')).toBe(true);
    expect(tool.output().stdout).toMatch(/random cases \(.*\) in \d+\.\d s/);
  });

  it('Ctrl-C while fuzz shrinks a failure: the smallest failure found so far is saved and reported, exit 130', async () => {
    const faulty = await startReceiver({ secret: SECRET, defect: 'slow-recording' });
    try {
      const out = path.join(WORK, 'fuzz-shrinking');
      const replays = path.join(out, 'replays');
      // Every failing candidate costs a deadline: shrinking takes seconds, and is interrupted.
      const tool = startTool(['fuzz', '--target', faulty.url, '--events', 'recording.completed', '--seed', '11', '--deadline', '400', '--concurrency', '1', '--report', 'json', '--out', out, '--replay-dir', replays]);
      await until(() => /fuzzing: /.test(tool.output().stdout), 20_000, 'fuzzing under way');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      process.kill(-tool.child.pid!, 'SIGINT');
      const signalled = performance.now();
      expect(await tool.exit).toBe(130);
      expect(performance.now() - signalled).toBeLessThan(GONE_WITHIN_MS);
      const { stdout } = tool.output();
      expect(stdout).toMatch(/shrunk failure acknowledgement\.fuzz-valid on recording\.completed after \d+ shrinks/);
      expect(readdirSync(replays).length).toBe(1);
      const report = readReport(out);
      expect(report.stopped).toBe('stopped by signal (SIGINT)');
      expect(report.checks.find((check) => check.id === 'acknowledgement.fuzz-valid')?.status).toBe('fail');
    } finally {
      await faulty.stop();
    }
  });
});

describe('a second signal', () => {
  it('exits at once, with its own code, while the first is still being handled', async () => {
    // A command whose graceful stop never ends: only the second signal can end it.
    const script = path.join(WORK, 'stubborn.mjs');
    writeFileSync(
      script,
      `import { listenForStop } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/cli/stop-requests.js'))};\n` +
        `const stop = listenForStop();\n` +
        `stop.signal.addEventListener('abort', () => console.log('stopping: ' + stop.signal.reason));\n` +
        `setInterval(() => {}, 1000);\n` +
        `console.log('ready');\n`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await until(() => stdout.includes('ready'), 10_000, 'ready');
    child.kill('SIGINT');
    await until(() => stdout.includes('stopping: stopped by signal (SIGINT)'), 5000, 'first signal handled');
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await exit).toBe(143);
  });
});
