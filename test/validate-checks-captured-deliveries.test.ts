/**
 * `conformance validate` on captured deliveries, as a user runs it: generated valid deliveries of every event of
 * the four bundled specs validate (exit 0); a wrong type, an unknown field, a missing required field and a bad
 * signature are each reported with the field or the reason (exit 1); records and raw HTTP dumps with headers have
 * their signatures verified over the raw bytes and their timestamp's age reported; integers beyond 2^53 are
 * validated exactly; input that is none of the formats is refused in one line (exit 2).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptures } from '../engine/capture-file.js';
import { DeliveryGenerator } from '../generators/deliveries.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { parseExactJson } from '../specs/exact-json.js';
import { signature } from './support/hand-signed.js';
import { runCli } from './support/run-cli.js';
import { runMain } from './support/run-main.js';

const SECRET = 'validate-test-secret';
const dir = mkdtempSync(path.join(os.tmpdir(), 'conformance-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const TS = 1_764_500_000;
const record = (body: string, options: { timestamp?: number; secret?: string; receivedAt?: number } = {}) => {
  const timestamp = options.timestamp ?? TS;
  return JSON.stringify({
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-zm-request-timestamp': String(timestamp), 'x-zm-signature': signature(options.secret ?? SECRET, timestamp, body) },
    body,
    ...(options.receivedAt !== undefined ? { receivedAt: options.receivedAt } : {}),
  });
};

/** A meeting.started body that validates against the bundled spec, as raw text. */
function meetingStarted(object: Record<string, unknown> = {}, eventTs = '1764500000123'): string {
  const base = {
    id: '85746065432',
    uuid: '4444AAAiAAAAAiAiAiiAii==',
    host_id: 'x1y2z3',
    host_email: 'host@example.com',
    topic: 'Weekly sync',
    type: 2,
    start_time: '2026-01-01T10:00:00Z',
    timezone: 'UTC',
    duration: 30,
    ...object,
  };
  for (const [key, value] of Object.entries(base)) if (value === undefined) delete (base as Record<string, unknown>)[key];
  return `{"event":"meeting.started","payload":{"account_id":"AbC123","object":${JSON.stringify(base)}},"event_ts":${eventTs}}`;
}

describe('conformance validate', () => {
  it('generated valid deliveries of every event validate, signatures included (exit 0)', async () => {
    const generator = new DeliveryGenerator(2026);
    const lines: string[] = [];
    for (const system of WEBHOOK_SYSTEMS) {
      for (const event of loadBundledSpec(system).events) {
        for (const delivery of generator.generate(event, 'valid', 2)) lines.push(record(delivery.body.toString('utf8')));
      }
    }
    const file = write('generated.ndjson', `${lines.join('\n')}\n`);
    const out = path.join(dir, 'report-generated');
    const result = await runMain(['validate', file, '--secret', SECRET, '--report', 'json', '--out', out]);
    expect(result.code, result.stdout.slice(-3000)).toBe(0);
    expect(result.stdout).toContain(`PASS all ${lines.length} deliveries validate`);
    const text = readFileSync(path.join(out, 'validation.json'), 'utf8');
    const report = JSON.parse(text);
    expect(report.verdict).toBe('pass');
    // The secret is used, never printed or written.
    for (const output of [result.stdout, result.stderr, text]) expect(output).not.toContain(SECRET);
    expect(report.totals).toMatchObject({ deliveries: lines.length, valid: lines.length, invalid: 0 });
    expect(report.totals.signatures).toEqual({ valid: lines.length, invalid: 0, missing: 0, unchecked: 0 });
    expect(report.events).toHaveLength(169);
  });

  it('a wrong type, an unknown field, a missing required field and a bad signature are each reported (exit 1)', async () => {
    const file = write(
      'defects.ndjson',
      [
        record(meetingStarted({ duration: '30' })),
        record(meetingStarted({ brand_new_field: true })),
        record(meetingStarted({ host_email: undefined })),
        record(meetingStarted(), { secret: 'another-secret' }),
        record(meetingStarted()),
      ].join('\n'),
    );
    const out = path.join(dir, 'report-defects');
    const result = await runMain(['validate', file, '--secret', SECRET, '--report', 'json', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${file}:1: /payload/object/duration must be integer`);
    expect(result.stdout).toContain(`${file}:3: /payload/object/host_email: required field missing`);
    expect(result.stdout).toContain(`${file}:4: signature does not verify: the signature does not match the body and timestamp for this secret`);
    expect(result.stdout).toMatch(/undocumented fields \(drift\), by deliveries:\n\s+1 {2}\/payload\/object\/brand_new_field/);
    expect(result.stdout).toMatch(/documented required fields missing, by deliveries:\n\s+1 {2}\/payload\/object\/host_email/);
    expect(result.stdout).toContain('FAIL 3 of 5 deliveries do not validate (3 invalid)');
    const report = JSON.parse(readFileSync(path.join(out, 'validation.json'), 'utf8'));
    const bySource = new Map(report.deliveries.map((delivery: { source: string }) => [delivery.source, delivery]));
    expect(bySource.get(`${file}:1`)).toMatchObject({ status: 'invalid', violations: [{ path: '/payload/object/duration', keyword: 'type', message: 'must be integer' }] });
    expect(bySource.get(`${file}:2`)).toMatchObject({ status: 'valid', undocumented: ['/payload/object/brand_new_field'] });
    expect(bySource.get(`${file}:3`)).toMatchObject({ status: 'invalid', missingRequired: ['/payload/object/host_email'] });
    expect(bySource.get(`${file}:4`)).toMatchObject({ status: 'invalid', violations: [], signature: { status: 'invalid' } });
    expect(bySource.has(`${file}:5`)).toBe(false);

    // The unknown field alone is drift: reported, valid; --strict fails it.
    const drift = write('drift.ndjson', record(meetingStarted({ brand_new_field: true })));
    const lenient = await runMain(['validate', drift, '--secret', SECRET]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('PASS all 1 delivery validates (1 with undocumented fields)');
    const strict = await runMain(['validate', drift, '--secret', SECRET, '--strict']);
    expect(strict.code).toBe(1);
    // A file of one line is one JSON value: its deliveries are named by the file alone.
    expect(strict.stdout).toContain(`${drift}: /payload/object/brand_new_field: undocumented field`);
  });

  it('records and raw HTTP dumps with headers verify their signature over the raw bytes and report the timestamp age', async () => {
    // Bytes that differ from re-serialized JSON (spaces, an escaped slash): only the raw bytes verify.
    const body = meetingStarted({ topic: 'a\\/b  c' }).replace('{"event"', '{ "event"');
    const records = write('signed.ndjson', `${record(body, { receivedAt: (TS + 4) * 1000 })}\n${record(body)}\n`);
    const fromRecords = await runMain(['validate', records, '--secret', SECRET, '--report', 'json', '--out', path.join(dir, 'signed')]);
    expect(fromRecords.code, fromRecords.stdout).toBe(0);
    expect(fromRecords.stdout).toMatch(/meeting\.started\s+meetings\s+2\s+2\s+0\s+0\s+0\s+2 ok · age 4\.\.\d+ s/);
    const dump =
      `POST /zoom/webhook HTTP/1.1\r\nHost: example.test\r\nContent-Type: application/json\r\nx-zm-request-timestamp: ${TS}\r\n` +
      `x-zm-signature: ${signature(SECRET, TS, body)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
      `POST /zoom/webhook HTTP/1.1\r\nx-zm-request-timestamp: ${TS}\r\nx-zm-signature: ${signature(SECRET, TS, body)}\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `10\r\n${body.slice(0, 16)}\r\n${(body.length - 16).toString(16)}\r\n${body.slice(16)}\r\n0\r\n\r\n` +
      `POST /zoom/webhook HTTP/1.1\r\nx-zm-request-timestamp: ${TS}\r\nx-zm-signature: ${signature(SECRET, TS, body)}\r\n\r\n${body.replace('x1y2z3', 'x1y2z4')}\r\n`;
    const dumpFile = write('requests.http', dump);
    const captures = readCaptures(dumpFile, readFileSync(dumpFile));
    expect(captures.map((capture) => capture.source)).toEqual([`${dumpFile}#1`, `${dumpFile}#2`, `${dumpFile}#3`]);
    const fromDump = await runMain(['validate', dumpFile, '--secret', SECRET]);
    expect(fromDump.code).toBe(1);
    expect(fromDump.stdout).toContain('2 ok, 1 bad');
    expect(fromDump.stdout).toContain(`${dumpFile}#3: signature does not verify`);
    // Without a secret, signatures are not judged, only counted as unchecked.
    const unchecked = await runMain(['validate', dumpFile]);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain('3 unchecked');
    // Headers without a signature, with a secret: unsigned, a failure.
    const unsigned = write('unsigned.ndjson', JSON.stringify({ headers: { 'content-type': 'application/json' }, body }));
    const noSignature = await runMain(['validate', unsigned, '--secret', SECRET]);
    expect(noSignature.code).toBe(1);
    expect(noSignature.stdout).toContain('signature missing: no x-zm-signature header');
  });

  it('integers beyond 2^53 are validated exactly, never through a double', async () => {
    const inRange = meetingStarted({}, '9223372036854775807');
    const outOfRange = meetingStarted({}, '9223372036854775808');
    expect(parseExactJson(inRange)).toMatchObject({ event_ts: 9223372036854775807n });
    // A double cannot tell these apart: both are 2^63.
    expect(Number('9223372036854775807')).toBe(Number('9223372036854775808'));
    const file = write('int64.ndjson', `${inRange}\n${outOfRange}\n`);
    const result = await runMain(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${file}:2: /event_ts must match format "int64"`);
    expect(result.stdout).not.toContain(`${file}:1:`);
    expect(result.stdout).toContain('FAIL 1 of 2 deliveries do not validate');
  });

  it('single JSON bodies, JSON arrays, unknown events, the URL validation challenge and bodies that are not JSON', async () => {
    const single = write('one.json', `${meetingStarted()}\n`);
    expect((await runMain(['validate', single])).code).toBe(0);
    const array = write('array.json', `[${meetingStarted()}, ${JSON.stringify({ body: meetingStarted() })}, {"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}, "event_ts": 1}]`);
    const fromArray = await runMain(['validate', array]);
    expect(fromArray.code, fromArray.stdout).toBe(0);
    expect(fromArray.stdout).toContain('PASS all 3 deliveries validate');
    const odd = write(
      'odd.ndjson',
      [JSON.stringify({ event: 'meeting.teleported', payload: {} }), JSON.stringify({ body: 'not json {' }), JSON.stringify({ body: '{"event": "\\u001b[31mevil", "payload": {}}' })].join('\n'),
    );
    const result = await runMain(['validate', odd]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${odd}:1: no selected spec describes the event "meeting.teleported"`);
    expect(result.stdout).toMatch(new RegExp(`${odd.replace(/[.]/g, '\\.')}:2: the body is not JSON`));
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toContain('\\x1b[31mevil');
    expect(result.stdout).toContain('FAIL 3 of 3 deliveries do not validate (2 of unknown events, 1 not JSON)');
  });

  it('reads standard input: conformance generate | conformance validate -', async () => {
    const generated = await runCli(['generate', 'recording.completed', '--count', '5', '--seed', '9']);
    expect(generated.code).toBe(0);
    const { spawnSync } = await import('node:child_process');
    const { CLI } = await import('./support/paths.js');
    const result = spawnSync(process.execPath, [CLI, 'validate', '-'], { input: generated.stdout, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('PASS all 5 deliveries validate');
  });

  it('input that is none of the formats is refused in one line, exit 2', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['garbage.txt', 'hello\nworld\n', /garbage\.txt:1: not JSON/],
      ['empty.json', '\n\n', /empty\.json: empty/],
      ['scalar.json', '42', /scalar\.json: neither a delivery body/],
      ['object-body.ndjson', JSON.stringify({ headers: {}, body: { event: 'x' } }), /a record's "body" must be the raw body text/],
      ['short.http', 'POST / HTTP/1.1\r\nContent-Length: 99\r\n\r\n{}', /short\.http#1: the body is shorter than its Content-Length/],
      ['bad-time.ndjson', JSON.stringify({ body: '{}', receivedAt: 'yesterday' }), /"receivedAt" must be an ISO 8601 time/],
    ];
    for (const [name, content, problem] of cases) {
      const result = await runMain(['validate', write(name, content)]);
      expect(result.code, name).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toMatch(problem);
      expect(result.stdout, name).toBe('');
    }
    const missing = await runMain(['validate', path.join(dir, 'absent.ndjson')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/absent\.ndjson: no such file/);
    const format = await runMain(['validate', write('fine.json', meetingStarted()), '--report', 'html']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('validate writes json only');
  });
});
