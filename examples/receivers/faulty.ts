/**
 * Faulty variants of the compliant receiver, for testing the conformance suite: each defect is the compliant
 * receiver (compliant.ts) with one step replaced, wrapped or one detour added. One defect per variant is the rule;
 * several can be planted together (each wraps the steps the ones before it left), as real receivers have several.
 *
 * Run one: `ZOOM_WEBHOOK_SECRET_TOKEN=... node dist/examples/receivers/faulty.js --defect NAME[,NAME...] [--port N]
 * [--host H]`; `--list` prints the defect names.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../../specs/catalog.js';
import type { JsonSchema } from '../../specs/json-schema.js';
import { SchemaValidator } from '../../specs/schema-validator.js';
import { isMainModule, listenAndAnnounce, parseListenArguments, readSecretToken, stopOnSignals, usageError } from './command-line.js';
import {
  COMPLIANT_STEPS,
  createZoomRequestHandler,
  DEFAULT_WEBHOOK_PATH,
  expectedSignature,
  headerValue,
  isZoomEvent,
  parseZoomEvent,
  plainTokenOf,
  challengeResponse,
  send,
  splitUrl,
  verifyZoomSignature,
  type ReceiverSteps,
  type Reply,
  type RequestHandler,
  type Verification,
  type ZoomEvent,
  type ZoomReceiverOptions,
} from './compliant.js';

/** How long the forgets-quickly variant remembers a delivery. */
export const FORGET_AFTER_MS = 1200;

export const DEFECTS = {
  'challenge-before-verify': 'answers the URL-validation challenge without verifying its signature first',
  'challenge-wrong-token': 'answers the challenge with the base64 HMAC digest instead of lowercase hex',
  'skips-verification': 'never verifies signatures (parses and applies anything)',
  'prefix-compare': 'accepts a signature that is a prefix of the expected one ("v0=", truncated signatures)',
  'ignores-version': 'compares only the hex after the first "=", so "v1=<correct hex>" passes',
  'no-freshness': 'no timestamp window: stale or far-future timestamps pass when correctly signed',
  'rejects-with-403': 'rejects deliveries that fail verification with 403 instead of the recommended 401',
  'reserializes-json': 'verifies the HMAC over JSON.stringify(JSON.parse(body)) instead of the raw bytes',
  'slow-recording': 'handles recording.completed synchronously and answers only after 3500 ms',
  'rejects-unknown-event': 'answers 400 to event types that are not in the bundled specs',
  'validation-500': 'answers 500 instead of 400 to a body that breaks its event schema',
  'crashes-on-bad-json': 'parses JSON without a try: answers 500 to a (verified) body that is not JSON',
  'any-method': 'acknowledges any method on the webhook path with 200, without reading a signature',
  'sheds-load': 'answers 503 when more than 10 webhook requests are in flight (each held about 150 ms)',
  'no-dedupe': 'applies every delivery, retries and duplicates included',
  'applies-before-verify': 'applies the effects before verifying the signature (then answers 401 as usual)',
  'rejects-duplicates': 'answers 409 to a delivery it has already seen instead of 200',
  'lifecycle-strict': 'answers 409 to an event older than the last one applied for the same meeting or session',
  'crashes-on-emoji': 'answers 500 when the body holds an astral-plane character (emoji)',
  'crashes-on-big-ids': 'answers 500 when an integer in the body is outside the safe-integer range',
  'racy-dedupe': 'deduplicates check-then-act across an await (looks the delivery up, awaits its store, then marks it seen)',
  'dedupes-by-event-ts': 'deduplicates by event + event_ts, so distinct deliveries that share them count as one',
  'applies-after-hangup': 'applies, works 30 ms, and records the delivery as done only if the sender is still there to read the answer',
  'forgets-quickly': `forgets a delivery ${FORGET_AFTER_MS} ms after it last saw it (Zoom retries 5, 20 and 60 minutes later)`,
  'rejects-with-400': 'rejects deliveries that fail verification with 400 instead of the recommended 401',
  'body-limit-100kb': "refuses bodies above 100 KB with 413 (the default limit of Express's body parsers)",
  'crashes-on-newlines': 'answers 500 to a verified body holding a line break (raw newline bytes between JSON tokens)',
  'wrong-secret': 'verifies signatures with another secret token than the one Zoom signs with (a configuration mistake)',
} as const;

export type Defect = keyof typeof DEFECTS;

export function isDefect(name: string): name is Defect {
  return Object.hasOwn(DEFECTS, name);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A verify step that swaps in the expected signature when `accepts(received, expected)`, then verifies as `verify` does. */
function verifyComparingWith(verify: typeof verifyZoomSignature, accepts: (received: string, expected: string) => boolean): typeof verifyZoomSignature {
  return (rawBody, headers, secretToken, toleranceSeconds, nowSeconds): Verification => {
    const timestamp = headerValue(headers, 'x-zm-request-timestamp');
    const received = headerValue(headers, 'x-zm-signature');
    if (timestamp !== undefined && received !== undefined) {
      const expected = expectedSignature(secretToken, timestamp, rawBody);
      if (accepts(received, expected)) headers = { ...headers, 'x-zm-signature': expected };
    }
    return verify(rawBody, headers, secretToken, toleranceSeconds, nowSeconds);
  };
}

type Detour<A extends unknown[]> = (...args: A) => Reply | undefined | Promise<Reply | undefined>;

/** Runs `first` (the detour of the defects planted before), then `then` when it did not answer. */
function chain<A extends unknown[]>(first: Detour<A> | undefined, then: Detour<A>): Detour<A> {
  if (!first) return then;
  return async (...args) => (await first(...args)) ?? then(...args);
}

function isJson(rawBody: Buffer): boolean {
  try {
    JSON.parse(rawBody.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Event name -> body schema, from the bundled webhook specs. */
function bundledEventSchemas(): Map<string, JsonSchema> {
  const schemas = new Map<string, JsonSchema>();
  for (const system of WEBHOOK_SYSTEMS) {
    for (const event of loadBundledSpec(system).events) if (!schemas.has(event.name)) schemas.set(event.name, event.body.schema);
  }
  return schemas;
}

/** The meeting or session an event is about: payload.object.uuid, session_id or id. */
function objectKey(event: ZoomEvent): string | undefined {
  const payload = event.payload as { object?: Record<string, unknown> } | null | undefined;
  const object = payload?.object;
  if (object === null || typeof object !== 'object') return undefined;
  for (const field of ['uuid', 'session_id', 'id']) {
    const value = object[field];
    if (typeof value === 'string' || typeof value === 'number') return `${field}:${value}`;
  }
  return undefined;
}

/** True when the JSON text holds an integer literal (outside strings) beyond Number.MAX_SAFE_INTEGER. */
function hasUnsafeInteger(text: string): boolean {
  for (const [token] of text.matchAll(/"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/g)) {
    if (/^-?[0-9]{16,}$/.test(token) && BigInt(token.replace('-', '')) > BigInt(Number.MAX_SAFE_INTEGER)) return true;
  }
  return false;
}

/** The steps with one defect planted: `steps` (compliant, or with other defects already planted) with one step replaced, wrapped or one detour added. */
function plant(defect: Defect, steps: ReceiverSteps, secretToken: string): ReceiverSteps {
  switch (defect) {
    case 'challenge-before-verify':
      return {
        ...steps,
        beforeVerify: chain(steps.beforeVerify, ({ rawBody }) => {
          const event = parseZoomEvent(rawBody);
          const plainToken = event?.event === 'endpoint.url_validation' ? plainTokenOf(event) : undefined;
          return plainToken === undefined ? undefined : { status: 200, body: challengeResponse(plainToken, secretToken) };
        }),
      };
    case 'challenge-wrong-token':
      return {
        ...steps,
        challengeResponse: (plainToken, secret) => ({ plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('base64') }),
      };
    case 'skips-verification':
      return { ...steps, verify: () => ({ ok: true }) };
    case 'prefix-compare':
      return { ...steps, verify: verifyComparingWith(steps.verify, (received, expected) => expected.startsWith(received)) };
    case 'ignores-version':
      return {
        ...steps,
        verify: verifyComparingWith(steps.verify, (received, expected) => received.includes('=') && received.slice(received.indexOf('=') + 1) === expected.slice(3)),
      };
    case 'no-freshness': {
      const verify = steps.verify;
      return { ...steps, verify: (rawBody, headers, secret, _toleranceSeconds, nowSeconds) => verify(rawBody, headers, secret, Infinity, nowSeconds) };
    }
    case 'rejects-with-403':
      return { ...steps, rejectionStatus: 403 };
    case 'rejects-with-400':
      return { ...steps, rejectionStatus: 400 };
    case 'reserializes-json': {
      const verify = steps.verify;
      return {
        ...steps,
        beforeVerify: chain(steps.beforeVerify, ({ rawBody }) => (isJson(rawBody) ? undefined : { status: 400, body: { error: 'body is not JSON' } })),
        verify: (rawBody, ...rest) => verify(Buffer.from(JSON.stringify(JSON.parse(rawBody.toString('utf8')))), ...rest),
      };
    }
    case 'wrong-secret': {
      const verify = steps.verify;
      // Stands for a receiver configured with another app's token (or a stale one).
      return { ...steps, verify: (rawBody, headers, secret, ...rest) => verify(rawBody, headers, `${secret}-of-another-app`, ...rest) };
    }
    case 'slow-recording':
      return {
        ...steps,
        afterParse: chain(steps.afterParse, async (event) => {
          if (event.event === 'recording.completed') await delay(3500);
          return undefined;
        }),
      };
    case 'rejects-unknown-event': {
      const known = new Set([...bundledEventSchemas().keys(), 'endpoint.url_validation']);
      return { ...steps, afterParse: chain(steps.afterParse, (event) => (known.has(event.event) ? undefined : { status: 400, body: { error: `unknown event ${event.event}` } })) };
    }
    case 'validation-500': {
      const schemas = bundledEventSchemas();
      const validator = new SchemaValidator();
      return {
        ...steps,
        afterParse: chain(steps.afterParse, (event) => {
          const schema = schemas.get(event.event);
          return schema === undefined || validator.isValid(schema, event) ? undefined : { status: 500, body: { error: 'schema validation failed' } };
        }),
      };
    }
    case 'crashes-on-bad-json':
      return {
        ...steps,
        parse: (rawBody) => {
          const value: unknown = JSON.parse(rawBody.toString('utf8')); // throws: the handler answers 500
          return isZoomEvent(value) ? value : undefined;
        },
      };
    case 'any-method':
    case 'sheds-load':
    case 'body-limit-100kb':
      return steps; // these wrap the request handler or set an option (see createFaultyReceiver)
    case 'no-dedupe':
      return { ...steps, memory: { has: () => false, add: () => {} } };
    case 'applies-before-verify':
      return {
        ...steps,
        beforeVerify: chain(steps.beforeVerify, ({ rawBody, deliveryId, state }) => {
          const event = parseZoomEvent(rawBody);
          if (event !== undefined && event.event !== 'endpoint.url_validation' && !state.memory.has(deliveryId)) {
            state.apply(event);
            state.memory.add(deliveryId);
          }
          return undefined;
        }),
      };
    case 'rejects-duplicates':
      return {
        ...steps,
        afterParse: chain(steps.afterParse, (_event, { deliveryId, state }) => (state.memory.has(deliveryId) ? { status: 409, body: { error: 'duplicate delivery' } } : undefined)),
      };
    case 'lifecycle-strict': {
      const lastApplied = new Map<string, number>();
      return {
        ...steps,
        afterParse: chain(steps.afterParse, (event) => {
          const key = objectKey(event);
          const eventTs = Number(event.event_ts);
          if (key === undefined || !Number.isFinite(eventTs)) return undefined;
          const last = lastApplied.get(key);
          if (last !== undefined && eventTs < last) return { status: 409, body: { error: 'event older than the last one applied' } };
          lastApplied.set(key, eventTs);
          return undefined;
        }),
      };
    }
    case 'crashes-on-emoji':
      return {
        ...steps,
        afterParse: chain(steps.afterParse, (event) => {
          // Stands for copying the topic into a Latin-1-only header or store.
          if (/[\u{10000}-\u{10FFFF}]/u.test(JSON.stringify(event))) throw new Error('cannot store a character outside the BMP');
          return undefined;
        }),
      };
    case 'racy-dedupe': {
      // Stands for a table looked up and written with awaits in between; a copy arriving meanwhile is not seen yet.
      const store = new Set<string>();
      const query = () => delay(2);
      return {
        ...steps,
        afterParse: chain(steps.afterParse, async (event, { deliveryId, state }) => {
          if (event.event === 'endpoint.url_validation') return undefined;
          await query();
          if (store.has(deliveryId)) return { status: 200 };
          state.apply(event);
          await query();
          store.add(deliveryId);
          return { status: 200 };
        }),
      };
    }
    case 'dedupes-by-event-ts': {
      const seen = new Set<string>();
      return {
        ...steps,
        afterParse: chain(steps.afterParse, (event, { state }) => {
          if (event.event === 'endpoint.url_validation') return undefined;
          const key = `${event.event}:${String(event.event_ts)}`;
          if (seen.has(key)) return { status: 200 };
          seen.add(key);
          state.apply(event);
          return { status: 200 };
        }),
      };
    }
    case 'applies-after-hangup': {
      // "If the sender hung up, Zoom will retry: let the retry record it" (the effects were applied all the same).
      const done = new Set<string>();
      const inFlight = new Set<string>();
      return {
        ...steps,
        afterParse: chain(steps.afterParse, async (event, { deliveryId, state, senderGone }) => {
          if (event.event === 'endpoint.url_validation') return undefined;
          if (done.has(deliveryId) || inFlight.has(deliveryId)) return { status: 200 };
          inFlight.add(deliveryId);
          state.apply(event);
          await delay(30);
          inFlight.delete(deliveryId);
          if (!senderGone.aborted) done.add(deliveryId);
          return { status: 200 };
        }),
      };
    }
    case 'forgets-quickly': {
      // Remembers a delivery for FORGET_AFTER_MS after it was last seen (each copy renews it), then forgets it.
      const lastSeen = new Map<string, number>();
      return {
        ...steps,
        memory: {
          has(id) {
            const at = lastSeen.get(id);
            if (at === undefined || Date.now() - at > FORGET_AFTER_MS) return false;
            lastSeen.set(id, Date.now());
            return true;
          },
          add(id) {
            lastSeen.set(id, Date.now());
          },
        },
      };
    }
    case 'crashes-on-big-ids':
      return {
        ...steps,
        afterParse: chain(steps.afterParse, (_event, { rawBody }) => {
          if (hasUnsafeInteger(rawBody.toString('utf8'))) throw new Error('integer outside the safe range');
          return undefined;
        }),
      };
    case 'crashes-on-newlines':
      return {
        ...steps,
        afterParse: chain(steps.afterParse, (_event, { rawBody }) => {
          // Stands for writing the raw body to a line-oriented log or queue that takes one line per entry.
          if (rawBody.includes(0x0a)) throw new Error('a delivery must fit on one line');
          return undefined;
        }),
      };
  }
}

/** Wraps the handler for the defects that are not in a step. */
function wrapHandler(defect: Defect, handler: RequestHandler, webhookPath: string): RequestHandler {
  if (defect === 'any-method') {
    return (req, res) => {
      if (splitUrl(req.url).path === webhookPath && req.method !== 'POST') return send(res, { status: 200 });
      handler(req, res);
    };
  }
  if (defect === 'sheds-load') {
    // Webhook requests only: the observer stays reliable for the tests that read it during a burst.
    let inFlight = 0;
    return (req, res) => {
      if (splitUrl(req.url).path !== webhookPath) return handler(req, res);
      if (inFlight >= 10) return send(res, { status: 503, body: { error: 'overloaded' }, headers: { 'retry-after': '1' } });
      // Counted while held (not until the response closes: a client that gave up early must not leak a slot).
      inFlight++;
      void delay(150).then(() => {
        inFlight--;
        handler(req, res);
      });
    };
  }
  return handler;
}

/** The receiver's options a defect changes. */
function optionsFor(defect: Defect, options: ZoomReceiverOptions): ZoomReceiverOptions {
  return defect === 'body-limit-100kb' ? { ...options, maxBodyBytes: 100 * 1024 } : options;
}

/** The defects named by `--defect a,b,c`, each known and given once; throws a one-line message otherwise. */
export function parseDefects(list: string): Defect[] {
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !isDefect(name));
  if (unknown !== undefined || names.length === 0) {
    throw new Error(`--defect must be one of: ${Object.keys(DEFECTS).join(', ')}; several comma-separated${list ? ` (got ${JSON.stringify(list)})` : ''}`);
  }
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) throw new Error(`--defect names ${twice} twice`);
  return names as Defect[];
}

/** A receiver with one or several planted defects (planted in the order given), as an `http.Server` not yet listening. */
export function createFaultyReceiver(defects: Defect | readonly Defect[], options: ZoomReceiverOptions): http.Server {
  const list = typeof defects === 'string' ? [defects] : defects;
  const steps = list.reduce((planted, defect) => plant(defect, planted, options.secretToken), COMPLIANT_STEPS);
  const configured = list.reduce((current, defect) => optionsFor(defect, current), options);
  const handler = list.reduce((current, defect) => wrapHandler(defect, current, options.path ?? DEFAULT_WEBHOOK_PATH), createZoomRequestHandler(configured, steps));
  return http.createServer(handler);
}

if (isMainModule(import.meta.url)) {
  const { port, host, values } = parseListenArguments(process.argv.slice(2), { defect: { type: 'string' }, list: { type: 'boolean' } });
  if (values.list === true) {
    const width = Math.max(...Object.keys(DEFECTS).map((name) => name.length));
    for (const [name, description] of Object.entries(DEFECTS)) process.stdout.write(`${name.padEnd(width)}  ${description}\n`);
  } else {
    let defects: Defect[] = [];
    try {
      defects = parseDefects(typeof values.defect === 'string' ? values.defect : '');
    } catch (error) {
      usageError((error as Error).message);
    }
    const server = createFaultyReceiver(defects, { secretToken: readSecretToken() });
    listenAndAnnounce(server, { port, host, label: `Zoom receiver (defect: ${defects.join(',')})` });
    stopOnSignals(server);
  }
}
