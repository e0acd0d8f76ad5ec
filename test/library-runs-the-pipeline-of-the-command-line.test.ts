/**
 * The library (index.ts). `runConformance` is the command line's pipeline: the same seed gives the same results and
 * findings as `conformance`, in a report that matches the JSON report's schema, with reproduce lines for code; its
 * options are checked in one line (`runConformance: ...`); a fetch handler, an observe function and an AbortSignal
 * work. `generateDeliveries` gives the bytes `conformance generate` prints; `signDelivery` and `challengeDelivery`
 * sign as Zoom does (the reference receiver's verification accepts them); the catalog and `listChecks` agree with
 * `conformance list` and `conformance checks`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { challengeResponse, createZoomRequestHandler, verifyZoomSignature } from '../examples/receivers/compliant.js';
import {
  challengeDelivery,
  checkChallengeAnswer,
  eventSchema,
  generateDeliveries,
  listChecks,
  listEvents,
  listOperations,
  loadSpec,
  runConformance,
  signDelivery,
  UsageError,
  type ConformanceOptions,
  type ConformanceReport,
} from '../index.js';
import { reportProblems } from '../reports/report-schema.js';
import { REPO_ROOT } from './support/paths.js';
import { readReport, resultLines } from './support/report-files.js';
import { startReceiver } from './support/receivers.js';
import { runCli } from './support/run-cli.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const OUT = mkdtempSync(path.join(os.tmpdir(), 'conformance-library-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

const EVENTS = 'meeting.started,recording.completed';

describe('runConformance', () => {
  it('gives the results and findings the command line gives for the same seed, in a report of the JSON schema, with reproduce lines for code', async () => {
    const receiver = await startReceiver({ secret: SECRET, defect: 'reserializes-json' });
    try {
      const report = await runConformance({ target: receiver.url, secret: SECRET, events: EVENTS.split(','), seed: 21, report: 'json', out: path.join(OUT, 'library') });
      const cli = await runMain(['--target', receiver.url, '--events', EVENTS, '--seed', '21', '--report', 'json', '--out', path.join(OUT, 'cli'), '--no-progress'], {
        env: { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET },
      });
      expect(cli.code).toBe(0);
      expect(reportProblems(report)).toEqual([]);
      const written = readReport(path.join(OUT, 'library'));
      expect(written.seed).toBe(21);
      const fromCli = readReport(path.join(OUT, 'cli'));
      expect(resultLines(report)).toEqual(resultLines(fromCli));
      expect(report.findings.map((finding) => [finding.id, finding.results])).toEqual(fromCli.findings.map((finding) => [finding.id, finding.results]));
      expect(report.findings.map((finding) => finding.id)).toContain('reserialized-body');
      const failure = report.checks.find((check) => check.id === 'signature.raw-body' && check.event === 'meeting.started')!;
      expect(failure.status).toBe('fail');
      expect(failure.reproduce).toBe("runConformance({ ...options, seed: 21, checks: 'signature.raw-body', events: 'meeting.started' })");
      expect(fromCli.checks.find((check) => check.id === 'signature.raw-body' && check.event === 'meeting.started')!.reproduce).toMatch(/^npx conformance --target /);
    } finally {
      await receiver.stop();
    }
  });

  it('checks its options: one line naming the option, before anything is sent', async () => {
    const target = 'http://127.0.0.1:9/zoom/webhook';
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ target, secret: SECRET, exampels: 2 }, /^runConformance: unknown option "exampels" \(did you mean examples\?\)$/],
      [{ target, secret: SECRET, concurrency: 0 }, /^runConformance: concurrency must be a whole number from 1 to 1000, got 0$/],
      [{ target, secret: SECRET, suites: ['signature', 'nope'] }, /^runConformance: suites: unknown suite "nope" \(known: url-validation, /],
      [{ target, secret: SECRET, events: 'nothing.*' }, /^runConformance: events: "nothing\.\*" matches no event/],
      [{ target, secret: SECRET, systems: 'rtms', spec: 'x.json' }, /^runConformance: give systems or spec, not both$/],
      [{ target, secret: SECRET, path: '/zoom' }, /^runConformance: path is for an in-process target; with a URL, the path is part of it$/],
      [{ target, secret: SECRET, observe: '/zoom/observe' }, /^runConformance: observe is a path: that is for an in-process target; give the URL of your observer$/],
      [{ target: 'ftp://example.com', secret: SECRET }, /^runConformance: target must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/example\.com"$/],
      [{ target: 42, secret: SECRET }, /^runConformance: target must be a URL, a request listener/],
      [{ secret: SECRET }, /^runConformance: target is required: the URL where your receiver takes Zoom webhooks, or its request listener or fetch handler$/],
      [{ target, secret: SECRET, progress: false }, /^runConformance: progress is an option of the command line's console output, not of the library$/],
      [{ target, secret: SECRET, retryAfter: 'soon' }, /^runConformance: retryAfter must be milliseconds/],
      [{ target, secret: SECRET, report: 'pdf' }, /^runConformance: report: unknown format "pdf" \(known: json, junit, html, github\)$/],
      [{ target, secret: SECRET }, /^runConformance: cannot reach http:\/\/127\.0\.0\.1:9: connection refused$/],
    ];
    const env = process.env.ZOOM_WEBHOOK_SECRET_TOKEN;
    delete process.env.ZOOM_WEBHOOK_SECRET_TOKEN;
    try {
      for (const [options, message] of cases) {
        const error = await runConformance(options as unknown as ConformanceOptions).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, JSON.stringify(options)).toBeInstanceOf(UsageError);
        expect((error as Error).message, JSON.stringify(options)).toMatch(message);
      }
      await expect(runConformance({ target })).rejects.toThrow(/^runConformance: no secret token: set ZOOM_WEBHOOK_SECRET_TOKEN \(or pass secret\)/);
    } finally {
      if (env !== undefined) process.env.ZOOM_WEBHOOK_SECRET_TOKEN = env;
    }
  });

  it('tests a fetch handler in process, counts through an observe function, and names the cause of what it fails', async () => {
    const applied = new Map<string, number>();
    // Acknowledges everything, applies everything: it verifies nothing.
    const careless = async (request: Request) => {
      const body = JSON.parse(Buffer.from(await request.arrayBuffer()).toString('utf8') || '{}') as { event?: string; event_ts?: number };
      const key = `${body.event}:${body.event_ts}`;
      applied.set(key, (applied.get(key) ?? 0) + 1);
      return new Response(null, { status: 200 });
    };
    const report = await runConformance({
      target: careless,
      secret: SECRET,
      events: 'meeting.started',
      suites: ['signature', 'idempotency'],
      observe: (event, eventTs) => applied.get(`${event}:${eventTs}`) ?? 0,
      seed: 3,
    });
    expect(report.target).toBe('in-process fetch handler at /');
    expect(report.config.observer).toBe(true);
    expect(report.summary.verdict).toBe('fail');
    expect(report.findings.map((finding) => finding.id)).toEqual(expect.arrayContaining(['signature-not-verified', 'applied-twice']));
    expect(report.checks.find((check) => check.id === 'idempotency.applied-once')!.observed).toMatchObject({ applied: expect.any(Number) });
  });

  it('refuses an observe function that breaks the contract before anything is sent', async () => {
    const target = createZoomRequestHandler({ secretToken: SECRET });
    await expect(runConformance({ target, secret: SECRET, observe: () => 1 })).rejects.toThrow(
      /^runConformance: observe: the observer counted 1 applications of a delivery never sent/,
    );
    await expect(runConformance({ target, secret: SECRET, observe: () => 'none' as unknown as number })).rejects.toThrow(
      /^runConformance: observe: the observe function returned the string "none"; it must return \(or resolve to\) a whole number$/,
    );
    await expect(
      runConformance({
        target,
        secret: SECRET,
        observe: () => {
          throw new Error('no database');
        },
      }),
    ).rejects.toThrow(/^runConformance: observe: the observe function threw: no database$/);
  });

  it('stops when its signal is aborted: what ran is reported, the rest skipped with the reason', async () => {
    const controller = new AbortController();
    let report: ConformanceReport | undefined;
    const running = runConformance({
      target: createZoomRequestHandler({ secretToken: SECRET }),
      path: '/zoom/webhook',
      secret: SECRET,
      seed: 4,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.deliveries > 50) controller.abort('enough for now');
      },
    }).then((value) => (report = value));
    await running;
    expect(report!.stopped).toBe('enough for now');
    const skipped = report!.checks.filter((check) => check.status === 'skip' && check.reason === 'not reached: enough for now');
    expect(skipped.length).toBeGreaterThan(0);
  });
});

describe('generateDeliveries, signDelivery, challengeDelivery', () => {
  it('generates the bytes `conformance generate` prints for the same seed', async () => {
    const deliveries = generateDeliveries('session.user_joined', { count: 3, seed: 123 });
    const cli = await runCli(['generate', 'session.user_joined', '--count', '3', '--seed', '123']);
    const bodies = cli.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { body: string }).body);
    expect(deliveries.map((delivery) => delivery.body.toString('utf8'))).toEqual(bodies);
    expect(deliveries[0]).toMatchObject({ event: 'session.user_joined', system: 'video-sdk', mode: 'valid', edges: [], zoomPlausible: true });
    expect(deliveries.every((delivery) => delivery.eventTs === (JSON.parse(delivery.body.toString('utf8')) as { event_ts: number }).event_ts)).toBe(true);
    const edges = generateDeliveries('meeting.created', { mode: 'edge', count: 5, seed: 5, systems: 'meetings' });
    expect(edges.every((delivery) => delivery.edges.length > 0)).toBe(true);
    const own = await loadSpec(path.join(REPO_ROOT, 'test/fixtures/user-spec.paths.json'));
    expect(generateDeliveries('qos.event', { spec: own, seed: 1 })[0]!.system).toBe('user-spec.paths');
    expect(() => generateDeliveries('meeting.strated')).toThrow(/^generateDeliveries: unknown event "meeting\.strated" in .* \(did you mean meeting\.started\?\)/);
    expect(() => generateDeliveries('meeting.started', { count: 0 })).toThrow(/^generateDeliveries: count must be a whole number from 1 to 100000, got 0$/);
    expect(() => generateDeliveries('meeting.started', { mode: 'weird' as 'valid' })).toThrow(/^generateDeliveries: mode must be one of valid, edge, invalid/);
  });

  it("signs a body as Zoom does: the reference receiver's verification accepts it, and not a changed byte", () => {
    const [delivery] = generateDeliveries('meeting.started', { seed: 9 });
    const now = Math.floor(Date.now() / 1000);
    const headers = signDelivery(delivery!.body, SECRET);
    expect(headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Zoom Marketplace/1.0a', 'x-zm-request-timestamp': expect.stringMatching(/^\d+$/) });
    expect(verifyZoomSignature(delivery!.body, headers, SECRET, 300, now)).toEqual({ ok: true });
    const changed = Buffer.from(delivery!.body);
    changed[changed.length - 2]! ^= 1;
    expect(verifyZoomSignature(changed, headers, SECRET, 300, now).ok).toBe(false);
    const fromText = signDelivery('{"event":"x"}', SECRET, { timestamp: 1_700_000_000 });
    expect(fromText['x-zm-request-timestamp']).toBe('1700000000');
    expect(fromText['x-zm-signature']).toBe(signDelivery(Buffer.from('{"event":"x"}'), SECRET, { timestamp: new Date(1_700_000_000_000) })['x-zm-signature']);
    expect(() => signDelivery({ event: 'x' } as unknown as string, SECRET)).toThrow(/^signDelivery: body must be the exact bytes to send/);
  });

  it('gives a signed URL validation challenge and the answer Zoom expects, and judges answers', () => {
    const challenge = challengeDelivery(SECRET, { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' });
    expect(JSON.parse(challenge.body.toString('utf8'))).toMatchObject({ event: 'endpoint.url_validation', payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' } });
    expect(verifyZoomSignature(challenge.body, challenge.headers, SECRET, 300, Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    expect(challenge.expected).toEqual(challengeResponse('qgg8vlvZRS6UYooatFL8Aw', SECRET));
    const good = { status: 200, body: JSON.stringify(challengeResponse(challenge.plainToken, SECRET)) };
    expect(checkChallengeAnswer(good, { plainToken: challenge.plainToken, secret: SECRET })).toEqual({ ok: true });
    expect(checkChallengeAnswer({ ...good, status: 201 }, { plainToken: challenge.plainToken, secret: SECRET })).toEqual({ ok: false, problem: 'status 201, Zoom requires 200' });
    expect(checkChallengeAnswer(good, { plainToken: challenge.plainToken, secret: 'another' }).ok).toBe(false);
    expect(challengeDelivery(SECRET).plainToken).not.toBe(challengeDelivery(SECRET).plainToken);
  });
});

describe('the catalog and the checks', () => {
  it('agree with `conformance list --json` and `conformance checks --json`', async () => {
    const listed = JSON.parse((await runCli(['list', '--json'])).stdout) as unknown[];
    expect(listEvents().length + listOperations().length).toBe(listed.length);
    expect(listEvents({ systems: 'rtms' })).toHaveLength(14);
    expect(listOperations()).toHaveLength(38);
    expect(eventSchema('meeting.started')).toMatchObject({ type: 'object', properties: { event: expect.any(Object), payload: expect.any(Object) } });
    expect(() => eventSchema('meeting.strated')).toThrow(/^eventSchema: unknown event "meeting\.strated"/);
    expect(listChecks()).toEqual(JSON.parse((await runCli(['checks', '--json'])).stdout));
  });

  it('ship their JSON Schemas in the package', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining(['.', './vitest', './options.schema.json', './baseline.schema.json', './report.schema.json']));
  });
});
