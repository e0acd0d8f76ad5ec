import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('conformance list', () => {
  it('lists all 169 events and 38 operations with field counts', async () => {
    const result = await runCli(['list']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^SYSTEM\s+EVENT \/ OPERATION\s+FIELDS\s+REQUIRED$/m);
    expect(result.stdout).toMatch(/^meetings\s+meeting\.started\s+\d+\s+\d+$/m);
    expect(result.stdout).toMatch(/^video-sdk-api\s+GET \/videosdk\/sessions\/\{sessionId\}\s+\d+\s+\d+$/m);
    expect(result.stdout).toContain('169 events, 38 operations in 5 specs');
  });

  it('--json gives one row per event with counts that match the schema', async () => {
    const result = await runCli(['list', '--system', 'qss,rtms', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { system: string; kind: string; name: string; fields: number; required: number }[];
    expect(rows).toHaveLength(28);
    expect(new Set(rows.map((row) => row.system))).toEqual(new Set(['qss', 'rtms']));
    for (const row of rows) {
      expect(row.kind).toBe('event');
      expect(row.fields).toBeGreaterThanOrEqual(row.required);
      expect(row.required).toBeGreaterThanOrEqual(3); // event, event_ts, payload at least
    }
  });

  it('an unknown system is a one-line usage error with exit code 2', async () => {
    const result = await runCli(['list', '--system', 'zoomphone']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('unknown system "zoomphone"');
  });

  const badFiles: [string, string, RegExp][] = [
    ['not-json.json', '{ "openapi": "3.1.0", ', /not valid JSON/],
    ['not-openapi.json', '{ "hello": "world" }', /not an OpenAPI document/],
    ['no-events.json', JSON.stringify({ openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: {} }), /describes no webhook events/],
    ['swagger.json', JSON.stringify({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} }), /Swagger 2\.0/],
    // An event that cannot be read is refused with its JSON pointer (deviations that leave it readable are warnings).
    [
      'unreadable-event.json',
      JSON.stringify({ openapi: '3.1.0', info: { title: 'x', version: '1' }, paths: { 'demo.created': { post: { responses: { '200': { description: 'ok' } } } } } }),
      /\/paths\/demo\.created\/post\/requestBody: event "demo\.created" has no JSON request body with a schema/,
    ],
  ];
  for (const [name, text, problem] of badFiles) {
    it(`a bad spec file (${name}) is a one-line error naming the file, exit code 2`, async () => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const result = await runCli(['list', '--spec', file]);
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(problem);
    });
  }

  it('a missing spec file is a one-line error, exit code 2', async () => {
    const result = await runCli(['list', '--spec', path.join(dir, 'absent.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/absent\.json: no such file/);
  });

  it('an unknown option is a usage error with exit code 2', async () => {
    const result = await runCli(['list', '--colour']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--colour'");
  });
});
