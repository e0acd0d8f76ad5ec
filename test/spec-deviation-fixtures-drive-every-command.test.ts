/**
 * The spec files under test/fixtures/lenient/ (one deviation each, one with all of them, one standard) as a user
 * passes them with --spec: each loads with a one-line warning summary on stderr and drives `list`, a run against the
 * compliant reference receiver (its report recording the deviations in config.specDeviations), `mock-api` (Prism
 * serving the operations as the catalog reads them) and `api` against that mock; with --spec-strict every command
 * refuses the file in one line. Several --spec files are read as one catalog.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRunning } from '../engine/server-process.js';
import { reportProblems } from '../reports/report-schema.js';
import { startChild } from './support/child-process.js';
import { CLI, REPO_ROOT } from './support/paths.js';
import { exchange, startReceiver, type RunningReceiver } from './support/receivers.js';
import { runMain } from './support/run-main.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/lenient');
const FILES = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .sort();
const SECRET = 'lenient-fixtures-secret';
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+)) \(Prism [^,]+, pid (\d+);/;
const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-lenient-cli-'));
let receiver: RunningReceiver;

beforeAll(async () => {
  receiver = await startReceiver({ secret: SECRET });
});
afterAll(async () => {
  await receiver?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const relative = (file: string) => path.relative(REPO_ROOT, path.join(FIXTURES, file));

/** The warning lines a command printed about its spec files. */
const warnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('conformance: warning: '));

describe('each deviation fixture drives every command that takes --spec', () => {
  for (const file of FILES) {
    const spec = relative(file);
    const standard = file === 'standard.json';
    it(`${file}: list, a run against the compliant receiver, mock-api and api; --spec-strict ${standard ? 'accepts' : 'refuses'} it`, async () => {
      const list = await runMain(['list', '--spec', spec]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain('2 events, 2 operations in 1 spec');
      const listed = warnings(list.stderr);
      if (standard) {
        expect(list.stderr).toBe('');
      } else {
        expect(listed).toHaveLength(1);
        expect(listed[0]).toMatch(new RegExp(`^conformance: warning: ${spec.replace(/[.]/g, '\\.')}: \\d+ deviations? from OpenAPI 3\\.1 ignored: .+; --spec-strict refuses them$`));
      }

      const out = path.join(dir, file.replace(/\.json$/, ''));
      const run = await runMain(['--target', receiver.url, '--spec', spec, '--seed', '7', '--report', 'json', '--out', out, '--no-progress'], { env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(warnings(run.stderr)).toEqual(listed);
      const report = JSON.parse(readFileSync(path.join(out, 'conformance.json'), 'utf8')) as { config: { systems: string[]; specDeviations?: { file: string; kind: string; count: number; pointers: string[] }[] } };
      expect(reportProblems(report)).toEqual([]);
      expect(report.config.systems).toEqual([file.replace(/\.json$/, '')]);
      if (standard) expect(report.config.specDeviations).toBeUndefined();
      else {
        expect(report.config.specDeviations!.length).toBeGreaterThan(0);
        for (const entry of report.config.specDeviations!) {
          expect(entry.file).toBe(spec);
          expect(entry.pointers.length).toBe(Math.min(entry.count, 20));
        }
        if (file !== 'all-deviations.json') expect(report.config.specDeviations!.map((entry) => entry.kind)).toEqual([file.replace(/\.json$/, '')]);
      }

      const mock = await startChild(process.execPath, [CLI, 'mock-api', '--port', '0', '--spec', spec], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, label: 'mock-api' });
      let prismPid = 0;
      try {
        const match = await mock.waitForStdout(LISTENING, 30_000);
        const url = match[1]!;
        prismPid = Number(match[3]);
        const widgets = await exchange(`${url}/widgets`, { method: 'GET', headers: { authorization: 'Bearer any' } });
        expect(widgets.status).toBe(200);
        if (file === 'example-as-json-text.json' || file === 'all-deviations.json') {
          // The example given as JSON text is what the mock serves, as a JSON value.
          expect(JSON.parse(widgets.text)).toEqual({ total_records: 2, widgets: [{ id: 'wA1', name: 'first', size: 3 }, { id: 'wB2', name: 'second' }] });
        }
        const api = await runMain(['api', '--target', url, '--spec', spec, '--seed', '3', '--no-progress']);
        expect(api.code, api.stdout + api.stderr).toBe(0);
        expect(api.stdout).toContain(`2 operations (${file.replace(/\.json$/, '')})`);
        expect(warnings(api.stderr)).toEqual(listed);
      } finally {
        await mock.stop();
      }
      expect(isRunning(prismPid)).toBe(false);

      if (standard) {
        expect((await runMain(['list', '--spec', spec, '--spec-strict'])).code).toBe(0);
        return;
      }
      for (const command of [['list'], ['--target', receiver.url], ['api', '--target', 'http://127.0.0.1:9'], ['mock-api', '--port', '0'], ['validate', path.join(FIXTURES, file)]]) {
        const strict = await runMain([...command, '--spec', spec, '--spec-strict'], { env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET } });
        expect(strict.code, `${command[0]}: ${strict.stdout}${strict.stderr}`).toBe(2);
        const lines = strict.stderr.trim().split('\n');
        expect(lines, command[0]).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^conformance: ${path.join(FIXTURES, file).replace(/[.]/g, '\\.')}: \\d+ deviations? from OpenAPI 3\\.1: .+ \\(first at /[^)]*\\); --spec-strict refuses them$`));
      }
    }, 120_000);
  }
});

describe('several --spec files', () => {
  const other = {
    openapi: '3.1.0',
    info: { title: 'other', version: '1' },
    webhooks: {
      'gadget.created': {
        post: {
          requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['event', 'payload'], properties: { event: { type: 'string' }, event_ts: { type: 'integer' }, payload: { type: 'object' } } } } } },
          responses: { '200': { description: 'ok' } },
        },
      },
    },
    paths: { '/gadgets': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'array', items: { type: 'string' } }, example: ['g1'] } } } } } } },
  };

  it('are read as one catalog: events and operations of both, each under its own system', async () => {
    const file = path.join(dir, 'other.json');
    writeFileSync(file, JSON.stringify(other));
    const list = await runMain(['list', '--spec', relative('standard.json'), '--spec', file, '--json']);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { system: string; name: string }[];
    expect(rows.map((row) => `${row.system} ${row.name}`)).toEqual([
      'standard session.rtms_interrupted',
      'standard session.alert',
      'standard GET /widgets',
      'standard GET /widgets/{widgetId}',
      'other gadget.created',
      'other GET /gadgets',
    ]);
  });

  it('drive a run (the reproduce line repeats every --spec) and the mock of both APIs', async () => {
    const file = path.join(dir, 'other.json');
    writeFileSync(file, JSON.stringify(other));
    const out = path.join(dir, 'two-specs');
    const run = await runMain(['--target', receiver.url, '--spec', relative('standard.json'), '--spec', file, '--report', 'json', '--out', out, '--no-progress', '--seed', '5'], {
      env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'conformance.json'), 'utf8')) as { config: { systems: string[]; events: number }; checks: { reproduce: string }[] };
    expect(report.config.systems).toEqual(['standard', 'other']);
    expect(report.config.events).toBe(3);
    expect(report.checks[0]!.reproduce).toContain(`--spec ${relative('standard.json')} --spec ${file}`);

    const mock = await startChild(process.execPath, [CLI, 'mock-api', '--port', '0', '--spec', relative('standard.json'), '--spec', file], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, label: 'mock-api' });
    try {
      const url = (await mock.waitForStdout(LISTENING, 30_000))[1]!;
      expect(mock.stdout()).toContain('3 operations at the paths of the spec');
      expect(JSON.parse((await exchange(`${url}/gadgets`, { method: 'GET', headers: { authorization: 'Bearer t' } })).text)).toEqual(['g1']);
      expect((await exchange(`${url}/widgets`, { method: 'GET', headers: { authorization: 'Bearer t' } })).status).toBe(200);
    } finally {
      await mock.stop();
    }
  }, 120_000);

  it('that define the same event are refused in one line naming both files', async () => {
    const result = await runMain(['list', '--spec', relative('standard.json'), '--spec', relative('nullable-keyword.json')]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n').filter((line) => !line.startsWith('conformance: warning: '));
    expect(lines).toEqual([
      `conformance: ${path.join(FIXTURES, 'nullable-keyword.json')}: event "session.rtms_interrupted" is defined in ${path.join(FIXTURES, 'standard.json')} too (each event may be defined by one --spec file only)`,
    ]);
  });

  it('of the same name in two folders get distinct system names', async () => {
    mkdirSync(path.join(dir, 'a'), { recursive: true });
    mkdirSync(path.join(dir, 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'a', 'zoom.json'), JSON.stringify(other));
    const renamed = { ...other, webhooks: { 'gizmo.created': other.webhooks['gadget.created'] }, paths: {} };
    writeFileSync(path.join(dir, 'b', 'zoom.json'), JSON.stringify(renamed));
    const list = await runMain(['list', '--spec', path.join(dir, 'a', 'zoom.json'), '--spec', path.join(dir, 'b', 'zoom.json'), '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { system: string }[]).map((row) => row.system)).toEqual(['zoom', 'zoom', 'zoom-2']);
  });
});

describe('text from a spec file is escaped before it reaches the terminal', () => {
  it('a format name holding a terminal escape sequence is printed escaped', async () => {
    const document = JSON.parse(readFileSync(path.join(FIXTURES, 'standard.json'), 'utf8')) as {
      components: { schemas: { Widget: { properties: { size: Record<string, unknown> } } } };
      paths: Record<string, unknown>;
    };
    document.components.schemas.Widget.properties.size.format = '\u001b[2J\u001b[31mred';
    document.paths['evil.\u001b[2Jevent'] = document.paths['session.alert'];
    const file = path.join(dir, 'escape.json');
    writeFileSync(file, JSON.stringify(document));
    const result = await runMain(['list', '--spec', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).toContain('unknown format `\\x1b[2J\\x1b[31mred`');
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('evil.\\x1b[2Jevent');
  });
});
