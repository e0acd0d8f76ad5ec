/**
 * A compliant Zoom webhook receiver as a Hono app: copy it into your app. It runs wherever Hono runs (Node with
 * @hono/node-server, Bun, Deno, Cloudflare Workers): the body is read as bytes with `c.req.arrayBuffer()`, never
 * through `c.req.json()`, because Zoom signs the bytes. The verification steps are the building blocks of
 * examples/receivers/compliant.ts: a constant-time comparison, a 5-minute freshness window, the URL validation
 * challenge answered only when signed, and deduplication by the digest of the raw body, looked up and marked with no
 * `await` in between.
 *
 *   const app = createZoomHonoApp({ secretToken: process.env.ZOOM_WEBHOOK_SECRET_TOKEN!, onEvent: enqueue });
 *   export default app;   // or serve({ fetch: app.fetch, port: 3000 }) with @hono/node-server
 *
 * Test it in process with `describeConformance('Zoom webhooks', { target: app, path: '/zoom/webhook', observe: '/zoom/observe' })`.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  challengeResponse,
  DEFAULT_TOLERANCE_SECONDS,
  deliveryId,
  DeliveryMemory,
  effectKey,
  parseZoomEvent,
  plainTokenOf,
  verifyZoomSignature,
  type ZoomEvent,
} from '../receivers/compliant.js';

export interface ZoomHonoOptions {
  /** The app's Secret Token. Never log it. */
  secretToken: string;
  /** Called once per event (retries and duplicates are not repeated): enqueue the work here and return at once. */
  onEvent?: (event: ZoomEvent) => void;
  /** Serve the test-only observer at /zoom/observe (never in production). */
  observer?: boolean;
}

export function createZoomHonoApp(options: ZoomHonoOptions): Hono {
  const app = new Hono();
  const memory = new DeliveryMemory();
  const applied = new Map<string, number>();

  app.post('/zoom/webhook', bodyLimit({ maxSize: 4 * 1024 * 1024, onError: (c) => c.json({ error: 'body larger than 4 MiB' }, 413) }), async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer());
    // Headers as Node has them (lower-case names): what the building blocks read.
    const headers = Object.fromEntries(c.req.raw.headers);
    // 1. Verify over the exact bytes, before anything else (the challenge included).
    const verification = verifyZoomSignature(body, headers, options.secretToken, DEFAULT_TOLERANCE_SECONDS, Math.floor(Date.now() / 1000));
    if (!verification.ok) return c.json({ error: verification.reason }, 401);
    // 2. Parse.
    const event = parseZoomEvent(body);
    if (!event) return c.json({ error: 'body is not a JSON object with a string "event"' }, 400);
    // 3. The endpoint URL validation challenge.
    if (event.event === 'endpoint.url_validation') {
      const plainToken = plainTokenOf(event);
      if (plainToken === undefined) return c.json({ error: 'endpoint.url_validation without a string payload.plainToken' }, 400);
      return c.json(challengeResponse(plainToken, options.secretToken), 200);
    }
    // 4. Apply once: a retry or a duplicate repeats the body byte for byte. No await between the lookup and the mark.
    const id = deliveryId(body);
    if (!memory.has(id)) {
      memory.add(id);
      const key = effectKey(event.event, event.event_ts);
      applied.set(key, (applied.get(key) ?? 0) + 1);
      options.onEvent?.(event);
    }
    // 5. Acknowledge at once; slow work happens after.
    return c.body(null, 200);
  });

  if (options.observer) {
    app.get('/zoom/observe', (c) => {
      const event = c.req.query('event');
      if (event === undefined) return c.json({ error: 'query parameter "event" is required' }, 400);
      return c.json({ count: applied.get(effectKey(event, c.req.query('event_ts'))) ?? 0 });
    });
  }

  // Zoom only POSTs.
  app.all('/zoom/webhook', (c) => c.json({ error: 'method not allowed' }, 405, { allow: 'POST' }));
  return app;
}
