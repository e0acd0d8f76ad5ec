/**
 * A fuzz run again with the same seed against the same receiver process (reproducing a failure, or a CI job against a
 * long-lived receiver): the receiver's observer still counts what the first run applied, and the second run sends
 * other bodies with some of the same event and event_ts pairs. Those counts say nothing of the second run: they are
 * not judged (no false "applied twice"), and the run says so. A fresh receiver gets no such note.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver, type RunningReceiver } from './support/receivers.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
/** Lifecycles of every kind (their steps are the pairs a rerun meets again), and a few events of no lifecycle. */
const EVENTS = 'meeting.created,meeting.started,meeting.participant_joined,meeting.participant_left,meeting.ended,recording.completed,session.started,session.user_joined,meeting.rtms_started,meeting.participant_qos';
const running: RunningReceiver[] = [];

afterAll(async () => {
  await Promise.all(running.map((receiver) => receiver.stop()));
});

describe('fuzz again with the same seed against the same receiver', () => {
  it('judges no count the first run left behind: no false MUST failure, and a note that says what was not judged', async () => {
    const receiver = await startReceiver({ secret: SECRET });
    running.push(receiver);
    const fuzz = (concurrency: number) =>
      runMain(['fuzz', '--target', receiver.url, '--observe', receiver.observeUrl, '--seed', '5', '--events', EVENTS, '--runs', '1000', '--concurrency', String(concurrency), '--no-progress'], { env: ENV });
    const first = await fuzz(1);
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).not.toContain('had already applied');
    // One lane sends the first run's cases in the same order; eight interleave them differently.
    for (const concurrency of [1, 8]) {
      const again = await fuzz(concurrency);
      expect(again.code, again.stdout).toBe(0);
      expect(again.stdout).toMatch(/^PASS no MUST failure/m);
      expect(again.stdout).toMatch(/^note: the receiver had already applied \d+ of the event and event_ts pairs this run sent, before it sent them \(an earlier run with seed 5 against the same receiver process\?\)/m);
    }
  });

  it('still finds a receiver that applies copies twice, on a fresh receiver with the same seed', async () => {
    const receiver = await startReceiver({ secret: SECRET, defect: 'no-dedupe' });
    running.push(receiver);
    const result = await runMain(['fuzz', '--target', receiver.url, '--observe', receiver.observeUrl, '--seed', '5', '--events', EVENTS, '--runs', '1000', '--no-progress'], { env: ENV });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/applied 2 times/);
    expect(result.stdout).not.toContain('had already applied');
  });
});
