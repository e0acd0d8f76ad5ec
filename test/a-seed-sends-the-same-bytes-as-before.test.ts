/**
 * A seed is a promise: the same seed sends the same bytes, in this version and the next. Faster generation (caches,
 * shared arbitraries, other serializers, prepared deliveries) must not move a single byte, or every seed, replay
 * path and saved failure a user holds would point at other deliveries.
 *
 * Each digest below was computed before the generators were made faster (issue 16). A digest that changes means
 * that a seed now sends other bytes: if that is intended (a generator really changed what it draws), say so in the
 * change and pin the new digest, which the failure message prints.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZoomRequestHandler } from '../examples/receivers/compliant.js';
import { DeliveryGenerator, MODES } from '../generators/deliveries.js';
import { buildLifecycle, LIFECYCLES, type LifecycleKind } from '../generators/lifecycles.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { SUITE_IDS } from '../suites/check.js';
import { buildCase, caseArbitrary } from '../suites/fuzz-cases.js';
import { runFuzz } from '../suites/fuzz.js';
import { HttpObserver } from '../suites/observer.js';
import { runSuites } from '../suites/runner.js';
import { REPO_ROOT } from './support/paths.js';

const events = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events);
const SECRET = 'pinned-bytes-secret';

/** SHA-256 over the parts, each followed by a separator, as hex. */
function digest(parts: Iterable<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex');
}

/** The compliant reference receiver, in this process, keeping every body it receives (the signing second blanked out). */
function captureTarget() {
  const received: string[] = [];
  const handle = createZoomRequestHandler({ secretToken: SECRET });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The url-validation forgeries sign at the current second: the clock aside, bytes are bytes.
    req.on('end', () => received.push(Buffer.concat(chunks).toString('latin1').replace(/v0:\d{10}:/g, 'v0:<now>:')));
    handle(req, res);
  });
  return { server, received };
}

describe('a seed sends the same bytes as before', () => {
  const { server, received } = captureTarget();
  let target: URL;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('generate: every bundled event in every mode', () => {
    const parts: (string | Buffer)[] = [];
    for (const seed of [1, 2]) {
      const generator = new DeliveryGenerator(seed);
      for (const event of events) {
        for (const mode of MODES) {
          for (const delivery of generator.generate(event, mode, 2)) parts.push(delivery.body, JSON.stringify(delivery.edges), String(delivery.eventTs), String(delivery.zoomPlausible));
        }
      }
    }
    expect(digest(parts)).toBe('fd83988d057e4c868705e42a6a89da09bf2bb850a05a538b4c188aa8fb2bef93');
  });

  it('fuzz cases: drawn, built and signed', () => {
    const parts: (string | Buffer)[] = [];
    for (const seed of [3, 4]) {
      const generator = new DeliveryGenerator(seed);
      for (const fuzzCase of fc.sample(caseArbitrary(generator, events), { seed, numRuns: 600 })) {
        const built = buildCase(generator, fuzzCase);
        parts.push(built.body, JSON.stringify(built.signature, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value)), JSON.stringify(built.delivery.edges));
      }
    }
    expect(digest(parts)).toBe('7411d83d1a6fd6931ce2d429c99677c4a3c7ea6e24a617ea960b0deb23335145');
  });

  it('lifecycles and their other occurrences', () => {
    const parts: (string | Buffer)[] = [];
    const generator = new DeliveryGenerator(5);
    for (const kind of Object.keys(LIFECYCLES) as LifecycleKind[]) {
      for (const [index, instance] of [[0, 0], [3, 0], [3, 2]] as const) {
        for (const delivery of buildLifecycle(generator, kind, events, index, instance).deliveries) parts.push(delivery.body);
      }
    }
    expect(digest(parts)).toBe('ea6101615a41dbf1c2a6da3a8fdebec332f03c055ff51f931476dbb0b43bbd28');
  });

  it('a full run: every body every suite sends', async () => {
    const observer = new HttpObserver(new URL('/zoom/observe', target));
    const outcome = await runSuites({ target, secret: SECRET, events, suites: [...SUITE_IDS], examples: 2, seed: 6, deadlineMs: 3000, concurrency: 8, burst: 20, retryAfterMs: 100, observer, reproduce: () => '' });
    expect(outcome.internalErrors).toEqual([]);
    expect(outcome.results.filter((result) => result.status === 'fail').map((result) => `${result.check.id} ${result.event}: ${result.reason}`)).toEqual([]);
    const bodies = received.splice(0).sort();
    expect(bodies.length).toBeGreaterThan(4000);
    expect(digest(bodies)).toBe('9f2cebd2247c98ba8661f2295ca837a12345459d4fe366cf9d319e033269f4fc');
  }, 60_000);

  it('a fuzz run on one lane: every body it sends', async () => {
    const outcome = await runFuzz({
      target,
      secret: SECRET,
      events,
      seed: 7,
      runs: 400,
      concurrency: 1,
      deadlineMs: 3000,
      strict: false,
      replayDir: path.join(REPO_ROOT, 'test-output', 'pinned-bytes-replays'),
      redaction: { secret: SECRET, credentialHeaders: [] },
      tool: { name: 'test', version: '0' },
      reproduce: () => '',
    });
    expect(outcome.findings).toEqual([]);
    const bodies = received.splice(0);
    expect(bodies.length).toBeGreaterThan(400);
    expect(digest(bodies)).toBe('cc8469132a98264cbd73090eb961d81fff9f37cef6db2268907be17cb68e6ac4');
  }, 60_000);
});
