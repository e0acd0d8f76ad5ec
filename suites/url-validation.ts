/**
 * Endpoint URL validation: Zoom saves an endpoint only after it answers a signed challenge, and validates it again
 * every 72 hours. A receiver that answers a challenge without verifying its signature hands out
 * HMAC(secret, anything): the same construction as a delivery signature, so anyone can forge deliveries.
 */
import fc from 'fast-check';
import { EngineStopped, type Exchange } from '../engine/http.js';
import { deriveSeed } from '../generators/deliveries.js';
import { answeredToken, challengeBody, judgeChallengeAnswer, nowSeconds, ZOOM } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import { defineCheck, type Probe, type Suite } from './check.js';
import { is2xx, outcome } from './outcome.js';

const answersChallenge = defineCheck({
  id: 'url-validation.answers-challenge',
  suite: 'url-validation',
  level: 'MUST',
  title: 'A signed challenge is answered 200 with the exact plainToken and encryptedToken',
  rationale: 'Zoom saves the endpoint only after a correct answer and disables the subscription after six failed re-validations.',
});

const unsignedChallenge = defineCheck({
  id: 'url-validation.unsigned-challenge',
  suite: 'url-validation',
  level: 'MUST',
  title: 'An unsigned challenge is not answered with a valid encryptedToken',
  rationale: 'Answering unverified challenges makes the endpoint a signing oracle: anyone can obtain a valid signature for a forged delivery.',
  evidence: 'rejection',
});

const wronglySignedChallenge = defineCheck({
  id: 'url-validation.wrongly-signed-challenge',
  suite: 'url-validation',
  level: 'MUST',
  title: 'A challenge signed with another secret is not answered with a valid encryptedToken',
  rationale: 'Answering challenges whose signature does not verify makes the endpoint a signing oracle for forged deliveries.',
  evidence: 'rejection',
});

/** Zoom's plainTokens are URL-safe base64 strings of about 22 characters. */
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const plainTokens = fc.string({ unit: fc.constantFrom(...TOKEN_ALPHABET), minLength: 16, maxLength: 32 });

/** Challenges per run for the property (fast-check shrinks a failing token to the smallest that still fails). */
const CHALLENGE_RUNS = 16;

const answers: Probe = {
  id: 'url-validation.answers',
  checks: [answersChallenge],
  scope: 'run',
  async run(context) {
    const exchanges: Exchange[] = [];
    /** The last answer to each token that failed, with what was wrong (fast-check's shrinking replays tokens). */
    const failures = new Map<string, { exchange: Exchange; problem: string }>();
    let eventTs = context.generator.world.epochMs;
    let stopped: EngineStopped | undefined;
    const property = fc.asyncProperty(plainTokens, async (plainToken) => {
      eventTs = context.generator.claimTimestamp(eventTs + 1);
      let exchange: Exchange;
      try {
        exchange = await context.send(context.signed(challengeBody(plainToken, eventTs), { label: `signed challenge (plainToken ${plainToken})`, event: ZOOM.challengeEvent }));
      } catch (error) {
        if (!(error instanceof EngineStopped)) throw error;
        // The run was stopped: fast-check ends at once (its interrupting precondition failure); while shrinking, the
        // smallest failure sent stands.
        stopped = error;
        throw new fc.PreconditionFailure(true);
      }
      exchanges.push(exchange);
      const verdict = judgeChallengeAnswer(exchange.response?.status, exchange.response?.body, plainToken, context.challengeToken(plainToken));
      if (verdict.ok) failures.delete(plainToken);
      else failures.set(plainToken, { exchange, problem: verdict.problem });
      return verdict.ok;
    });
    const details = await fc.check(property, {
      seed: deriveSeed(context.seed, 'url-validation.answers'),
      numRuns: CHALLENGE_RUNS,
      interruptAfterTimeLimit: Math.max(15_000, context.deadlineMs * 5),
      markInterruptAsFailure: false,
    });
    const token = details.counterexample?.[0];
    const failure = details.failed && token !== undefined ? failures.get(token) : undefined;
    if (failure) {
      const { exchange, problem } = failure;
      const cause = exchange.response ? `${outcome(exchange)}; ${problem}` : outcome(exchange);
      context.record(answersChallenge, undefined, {
        status: 'fail',
        reason: `plainToken "${token}" (challenge ${details.numRuns} failed, shrunk ${details.numShrinks} times): ${cause}`,
        exchanges: [exchange],
      });
      return;
    }
    // Stopped before a verdict: not reached (the runner skips it with the reason).
    if (stopped) throw stopped;
    // Failed without a recorded answer: the property threw, a bug of this tool, not the target's.
    if (details.failed) throw details.errorInstance ?? new Error('the challenge property failed without a recorded answer');
    if (exchanges.length === 0) throw new Error('the challenge property ran no challenge');
    context.record(answersChallenge, undefined, { status: 'pass', reason: `${details.numRuns} challenges answered correctly`, exchanges });
  },
};

/**
 * Sends a challenge whose plainToken is the signing message of a forged delivery; if the receiver answers it with
 * the valid HMAC, sends the forged delivery with that HMAC as its signature to show the consequence.
 */
function oracleProbe(id: string, check: typeof unsignedChallenge, wrongSecret: boolean): Probe {
  return {
    id,
    checks: [check],
    scope: 'run',
    async run(context) {
      const event = forgeryEvent(context.events);
      const [forged] = context.sample(event, 'valid', 1, { salt: 'forged' });
      const timestamp = nowSeconds();
      const plainToken = `v0:${timestamp}:${forged!.body.toString('utf8')}`;
      const body = challengeBody(plainToken, context.generator.claimTimestamp(context.generator.world.epochMs + 7));
      const request = wrongSecret
        ? context.signed(body, { as: { kind: 'wrong-secret' }, label: 'challenge signed with another secret', event: ZOOM.challengeEvent })
        : context.unsigned(body, { label: 'unsigned challenge', event: ZOOM.challengeEvent });
      const challenge = await context.send(request);
      const token = answeredToken(challenge.response?.body);
      if (!is2xx(challenge) || token !== context.challengeToken(plainToken)) {
        context.record(check, undefined, { status: 'pass', reason: `not answered with a valid encryptedToken (${outcome(challenge)})`, exchanges: [challenge] });
        return;
      }
      const forgery = context.unsigned(forged!.body, { label: `${event.name} signed with the token the challenge answer gave away`, delivery: forged! });
      forgery.headers['x-zm-request-timestamp'] = String(timestamp);
      forgery.headers['x-zm-signature'] = `v0=${token}`;
      forgery.traits = { ...forgery.traits!, signature: 'challenge-answer' };
      const attempt = await context.send(forgery);
      const forgeable = is2xx(attempt);
      context.record(check, undefined, {
        status: 'fail',
        reason: forgeable
          ? `forgeable: the answer's encryptedToken is a valid signature, and a forged ${event.name} signed with it was accepted (${outcome(attempt)})`
          : `signing oracle: the answer's encryptedToken is a valid x-zm-signature for any body; the forged ${event.name} got ${outcome(attempt)}`,
        exchanges: [challenge, attempt],
      });
    },
  };
}

function forgeryEvent(events: readonly WebhookEvent[]): WebhookEvent {
  return events.find((event) => event.name === 'meeting.started') ?? events.find((event) => event.name === 'session.started') ?? events[0]!;
}

export const urlValidationSuite: Suite = {
  id: 'url-validation',
  title: 'Endpoint URL validation',
  checks: [answersChallenge, unsignedChallenge, wronglySignedChallenge],
  probes: [answers, oracleProbe('url-validation.unsigned', unsignedChallenge, false), oracleProbe('url-validation.wrongly-signed', wronglySignedChallenge, true)],
};
