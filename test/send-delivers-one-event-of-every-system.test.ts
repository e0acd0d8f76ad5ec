/**
 * `conformance send`: one signed delivery of an event of every bundled system is acknowledged and applied by the
 * compliant receiver; overrides land in the body; a file is sent byte for byte; `--challenge` checks the answer
 * (and fails on a receiver that answers it wrongly); usage errors are one line, exit 2.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedCount, startReceiver, type RunningReceiver } from './support/receivers.js';
import { runMain } from './support/run-main.js';

const SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const ENV = { ZOOM_WEBHOOK_SECRET_TOKEN: SECRET };
const DIR = mkdtempSync(path.join(os.tmpdir(), 'conformance-send-'));
let compliant: RunningReceiver;
let wrongToken: RunningReceiver;

beforeAll(async () => {
  [compliant, wrongToken] = await Promise.all([startReceiver({ secret: SECRET }), startReceiver({ secret: SECRET, defect: 'challenge-wrong-token' })]);
});

afterAll(async () => {
  await Promise.all([compliant.stop(), wrongToken.stop()]);
  rmSync(DIR, { recursive: true, force: true });
});

/** The body line of the printed request (`> {...}`). */
function sentBody(stdout: string): Record<string, unknown> {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('> {'));
  return JSON.parse(line!.slice(2)) as Record<string, unknown>;
}

describe('send', () => {
  for (const [system, event] of [
    ['meetings', 'meeting.started'],
    ['video-sdk', 'session.user_joined'],
    ['qss', 'meeting.participant_qos'],
    ['rtms', 'meeting.rtms_started'],
  ] as const) {
    it(`delivers ${event} (${system}): acknowledged and applied once`, async () => {
      const result = await runMain(['send', event, '--system', system, '--target', compliant.url, '--seed', '9'], { env: ENV });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^< 200 after \d+ ms$/m);
      expect(result.stdout).toMatch(/^OK acknowledged$/m);
      const body = sentBody(result.stdout);
      expect(body.event).toBe(event);
      expect(await appliedCount(compliant.observeUrl, event, body.event_ts as number)).toBe(1);
      expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    });
  }

  it('--set overrides fields of the generated body (JSON values where they parse)', async () => {
    const result = await runMain(
      ['send', 'meeting.started', '--target', compliant.url, '--set', 'payload.object.topic=Launch 🚀', '--set', 'payload.object.duration=0', '--set', 'payload.extra.flag=true'],
      { env: ENV },
    );
    expect(result.code).toBe(0);
    const payload = sentBody(result.stdout).payload as { object: { topic: string; duration: number }; extra: { flag: boolean } };
    expect(payload.object.topic).toBe('Launch 🚀');
    expect(payload.object.duration).toBe(0);
    expect(payload.extra.flag).toBe(true);
  });

  it('--data sends the exact bytes of a file, signed as they are', async () => {
    const eventTs = Date.now();
    const file = path.join(DIR, 'body.json');
    writeFileSync(file, `{ "event": "meeting.ended",\n  "payload": {"object": {"topic": "A \\/ B"}},\n  "event_ts": ${eventTs} }\n`);
    const result = await runMain(['send', 'meeting.ended', '--target', compliant.url, '--data', file], { env: ENV });
    expect(result.code).toBe(0);
    expect(await appliedCount(compliant.observeUrl, 'meeting.ended', eventTs)).toBe(1);
  });

  it('--challenge: the compliant receiver answers correctly (exit 0); a wrong token is reported (exit 1)', async () => {
    const ok = await runMain(['send', '--challenge', '--target', compliant.url], { env: ENV });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/OK the challenge was answered correctly/);
    const wrong = await runMain(['send', '--challenge', '--target', wrongToken.url], { env: ENV });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAIL encryptedToken is not the lowercase hex HMAC-SHA256/);
  });

  it('usage errors: one line, exit 2', async () => {
    for (const [args, message] of [
      [['send', '--target', compliant.url], /name the event to send/],
      [['send', 'meeting.strated', '--target', compliant.url], /unknown event "meeting\.strated".*did you mean meeting\.started\?/],
      [['send', 'meeting.started', '--target', compliant.url, '--set', 'noequals'], /--set takes path=value/],
      [['send', 'meeting.started', '--target', compliant.url, '--data', 'x.json', '--set', 'a=1'], /--set changes a generated body: not with --data/],
    ] as const) {
      const result = await runMain([...args], { env: ENV });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});
