/**
 * Nothing from a file or a target reaches the terminal raw: C0 and C1 controls (ESC, BEL, the 8-bit CSI), DEL,
 * the line separators and the bidirectional overrides are written escaped (\x1b, \u202e), in every command. Proved
 * with a spec file that begins with terminal escape sequences (and has them in its name), a spec whose event names
 * carry them, a target whose status text, headers and body carry them, and a report file full of them.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printable, printableJson, printHeader, printResults } from '../reports/console.js';
import { hostileReport } from './support/hostile-report.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const DIR = mkdtempSync(path.join(os.tmpdir(), 'conformance-raw-'));
/** Everything that must never reach a terminal raw. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
/** A window title, a color, a bell, an 8-bit CSI that clears the screen, and bidi overrides that reorder a line. */
const ESCAPES = '\u001b]0;pwned\u0007\u001b[31m\u009b2J\u202eevil\u2066x\u2069\u200f\u061c\u2028';
const servers: net.Server[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(DIR, { recursive: true, force: true });
});

function expectNothingRaw(output: { stdout: string; stderr: string }): void {
  for (const [name, text] of [['stdout', output.stdout], ['stderr', output.stderr]] as const) {
    const found = RAW.exec(text);
    expect(found, `${name} holds ${JSON.stringify(found?.[0])} at ${found?.index}: ${JSON.stringify(text.slice(Math.max(0, (found?.index ?? 0) - 60), (found?.index ?? 0) + 20))}`).toBeNull();
  }
}

/**
 * A target that answers every request 401 with escapes in its status text (which llhttp accepts), C1 bytes and the
 * UTF-8 bytes of U+202E in header values (read as latin1), and escapes and bidi overrides in its body.
 */
async function hostileTarget(): Promise<string> {
  const body = Buffer.from(`{"error": "${ESCAPES}"}`, 'utf8');
  const head =
    `HTTP/1.1 401 Unauth\u001b]0;pwned\u0007orized\u009b2J\r\n` +
    `x-c1: a\u009b2Jb\r\n` +
    `x-bidi: ${Buffer.from('\u202eevil', 'utf8').toString('latin1')}\r\n` +
    `content-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body])));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('spec files', () => {
  it('a file that begins with terminal escape sequences, with escapes in its name: one escaped line, exit 2', async () => {
    const file = path.join(DIR, `spec\u001b[31m\u202e.json`);
    writeFileSync(file, `${ESCAPES}{"openapi": "3.1.0"}`);
    for (const args of [['list', '--spec', file], ['generate', 'meeting.started', '--spec', file], ['--target', 'http://127.0.0.1:9/', '--spec', file]]) {
      const result = await runMain(args, { env: ENV });
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('\\x1b]0;pwned\\x07');
      expectNothingRaw(result);
    }
  });

  it('event names with escapes and bidi overrides: the table and the JSON are printable, the JSON keeps the names', async () => {
    const name = `meeting.started${ESCAPES}`;
    const schema = { type: 'object', required: ['event', 'payload'], properties: { event: { type: 'string' }, payload: { type: 'object' } } };
    const spec = {
      openapi: '3.1.0',
      info: { title: `hostile ${ESCAPES}`, version: '1' },
      webhooks: { [name]: { post: { requestBody: { content: { 'application/json': { schema } } }, responses: { '200': { description: 'ok' } } } } },
    };
    const file = path.join(DIR, 'named.json');
    writeFileSync(file, JSON.stringify(spec));
    const table = await runMain(['list', '--spec', file]);
    expect(table.code).toBe(0);
    expectNothingRaw(table);
    expect(table.stdout).toContain(printable(name));
    const json = await runMain(['list', '--spec', file, '--json']);
    expectNothingRaw(json);
    expect((JSON.parse(json.stdout) as { name: string }[]).map((row) => row.name)).toEqual([name]);
  });
});

describe('a target with escapes in its status text, headers and body', () => {
  it('send, send --challenge, the main run and the API run print it escaped', async () => {
    const origin = await hostileTarget();
    const target = `${origin}/zoom/webhook`;
    const out = path.join(DIR, 'run');
    const runs = [
      await runMain(['send', 'meeting.started', '--target', target], { env: ENV }),
      await runMain(['send', '--challenge', '--target', target], { env: ENV }),
      await runMain(['--target', target, '--system', 'rtms', '--all-failures', '--no-progress', '--report', 'json,html,junit,github', '--out', out], { env: ENV }),
      await runMain(['api', '--target', origin, '--operations', 'GET /videosdk/sessions', '--all-failures', '--no-progress'], {}),
    ];
    // send shows the answer's headers and body: escaped, not dropped.
    expect(runs[0]!.stdout).toContain('\\x9b2Jb');
    expect(runs[0]!.stdout).toContain('\\u202eevil');
    expect(runs[0]!.stdout).toContain('\\x1b]0;pwned\\x07');
    expect(runs.map((run) => run.code)).toEqual([1, 1, 1, 0]);
    for (const run of runs) {
      expectNothingRaw(run);
    }
  });
});

describe('report files and rendered reports', () => {
  it('a report file full of escapes: merge prints it escaped; the console renderers escape every field', async () => {
    const report = hostileReport();
    const input = path.join(DIR, 'hostile-report');
    mkdirSync(input, { recursive: true });
    writeFileSync(path.join(input, 'conformance.json'), JSON.stringify(report));
    const merged = await runMain(['merge', input, '--out', path.join(DIR, 'merged')]);
    expect(merged.code).toBe(1);
    expectNothingRaw(merged);

    let stdout = '';
    const io = { stdout: { write: (text: string) => (stdout += text), isTTY: false }, stderr: { write: () => true, isTTY: false }, env: { NO_COLOR: '1' } };
    const poisoned = { ...report, tool: `tool${ESCAPES}`, config: { ...report.config, systems: [`system${ESCAPES}`] } };
    printHeader(io, poisoned);
    printResults(io, poisoned, { allFailures: true, files: [`file${ESCAPES}`] });
    expectNothingRaw({ stdout, stderr: '' });
  });

  it('printableJson keeps the value and escapes only what a terminal would act on', () => {
    const value = { text: `${ESCAPES}\u0000\u007f tab\there`, list: ['\u202e'] };
    const json = printableJson(value, 2);
    expect(json).not.toMatch(RAW);
    expect(JSON.parse(json)).toEqual(value);
    expect(printable('a\tb\nc\u001b\u202e')).toBe('a\tb\nc\\x1b\\u202e');
  });
});
