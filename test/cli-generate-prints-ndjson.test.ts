import { describe, expect, it } from 'vitest';
import { loadBundledSpec } from '../specs/catalog.js';
import { SchemaValidator } from '../specs/schema-validator.js';
import { runCli } from './support/run-cli.js';

const validator = new SchemaValidator();

describe('conformance generate', () => {
  it('prints one NDJSON line per delivery, with the exact body; the same seed gives the same output', async () => {
    const first = await runCli(['generate', 'session.user_joined', '--count', '5', '--seed', '123']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('seed 123');
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    const schema = loadBundledSpec('video-sdk').events.find((event) => event.name === 'session.user_joined')!.body.schema;
    for (const line of lines) {
      const record = JSON.parse(line) as { event: string; system: string; mode: string; body: string; edges: unknown[] };
      expect(record).toMatchObject({ event: 'session.user_joined', system: 'video-sdk', mode: 'valid', edges: [] });
      expect(validator.validate(schema, JSON.parse(record.body))).toEqual([]);
      expect(record.body).toBe(JSON.stringify(JSON.parse(record.body))); // compact, as Zoom sends it
    }
    const again = await runCli(['generate', 'session.user_joined', '--count', '5', '--seed', '123']);
    expect(again.stdout).toBe(first.stdout);
  });

  it('edge and invalid modes name what they did; bodies that are not UTF-8 come as base64', async () => {
    const edge = await runCli(['generate', 'meeting.created', '--system', 'meetings', '--mode', 'edge', '--count', '20', '--seed', '5']);
    expect(edge.code).toBe(0);
    for (const line of edge.stdout.trim().split('\n')) {
      const record = JSON.parse(line) as { body: string; edges: { kind: string; path: string; zoom: boolean }[] };
      expect(record.edges.length).toBeGreaterThan(0);
      expect(typeof record.body).toBe('string');
    }
    const invalid = await runCli(['generate', 'meeting.created', '--mode', 'invalid', '--count', '200', '--seed', '5']);
    const records = invalid.stdout.trim().split('\n').map((line) => JSON.parse(line) as { body: string | null; bodyBase64?: string; edges: { kind: string }[] });
    const binary = records.filter((record) => record.body === null);
    expect(binary.length).toBeGreaterThan(0);
    for (const record of binary) {
      expect(['json.wrong-encoding', 'json.invalid-utf8']).toContain(record.edges[0]!.kind);
      expect(Buffer.from(record.bodyBase64!, 'base64').length).toBeGreaterThan(0);
    }
  });

  it('works on a user spec file', async () => {
    const result = await runCli(['generate', 'qos.event', '--spec', 'test/fixtures/user-spec.paths.json', '--count', '3', '--seed', '1']);
    expect(result.stderr).toContain('qos.event');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(3);
  });

  const usage: [string[], RegExp][] = [
    [['generate', 'meeting.startd'], /unknown event "meeting\.startd".*did you mean meeting\.started\?/],
    [['generate', 'meeting.started', '--mode', 'weird'], /--mode/],
    [['generate', 'meeting.started', '--count', '0'], /--count must be a whole number/],
    [['generate', 'meeting.started', '--seed', 'abc'], /seed must be a 32-bit integer/],
    [['generate', 'meeting.started', '--system', 'nope'], /unknown system "nope"/],
    [['generate', 'meeting.started', '--system', 'meetings', '--spec', 'x.json'], /not both/],
    [['generate'], /missing required argument/],
  ];
  for (const [args, message] of usage) {
    it(`usage error, one line, exit 2: ${args.slice(1).join(' ') || '(no event)'}`, async () => {
      const result = await runCli(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    });
  }
});
