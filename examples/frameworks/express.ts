/**
 * A compliant Zoom webhook receiver as an Express app (Express 5): copy it into your app.
 *
 * The one thing Express gets wrong by default: `express.json()` parses the body and throws the bytes away, but Zoom
 * signs the bytes. So the webhook route reads the raw body (`express.raw`), verifies the signature over it, and only
 * then parses. The verification steps are the building blocks of examples/receivers/compliant.ts (copy them too):
 * a constant-time comparison, a 5-minute freshness window, the URL validation challenge answered only when signed,
 * and deduplication by the digest of the raw body, looked up and marked with no `await` in between.
 *
 *   const app = createZoomExpressApp({ secretToken: process.env.ZOOM_WEBHOOK_SECRET_TOKEN!, onEvent: enqueue });
 *   app.listen(3000);
 *
 * Test it in process with `describeConformance('Zoom webhooks', { target: app, path: '/zoom/webhook', observe: '/zoom/observe' })`.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
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

export interface ZoomExpressOptions {
  /** The app's Secret Token. Never log it. */
  secretToken: string;
  /** Called once per event (retries and duplicates are not repeated): enqueue the work here and return at once. */
  onEvent?: (event: ZoomEvent) => void;
  /** Serve the test-only observer at /zoom/observe (never in production). */
  observer?: boolean;
}

export function createZoomExpressApp(options: ZoomExpressOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const memory = new DeliveryMemory();
  const applied = new Map<string, number>();

  // Every body as raw bytes, whatever its content type; never decompressed (Zoom signs what it sends), at most 4 MB.
  const rawBody = express.raw({ type: () => true, limit: '4mb', inflate: false });

  app.post('/zoom/webhook', rawBody, (req: Request, res: Response) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // 1. Verify over the exact bytes, before anything else (the challenge included).
    const verification = verifyZoomSignature(body, req.headers, options.secretToken, DEFAULT_TOLERANCE_SECONDS, Math.floor(Date.now() / 1000));
    if (!verification.ok) return void res.status(401).json({ error: verification.reason });
    // 2. Parse.
    const event = parseZoomEvent(body);
    if (!event) return void res.status(400).json({ error: 'body is not a JSON object with a string "event"' });
    // 3. The endpoint URL validation challenge.
    if (event.event === 'endpoint.url_validation') {
      const plainToken = plainTokenOf(event);
      if (plainToken === undefined) return void res.status(400).json({ error: 'endpoint.url_validation without a string payload.plainToken' });
      return void res.status(200).json(challengeResponse(plainToken, options.secretToken));
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
    res.status(200).end();
  });

  if (options.observer) {
    app.get('/zoom/observe', (req: Request, res: Response) => {
      const event = typeof req.query.event === 'string' ? req.query.event : undefined;
      if (event === undefined) return void res.status(400).json({ error: 'query parameter "event" is required' });
      res.json({ count: applied.get(effectKey(event, req.query.event_ts)) ?? 0 });
    });
  }

  // Zoom only POSTs.
  app.all('/zoom/webhook', (_req: Request, res: Response) => void res.set('allow', 'POST').status(405).json({ error: 'method not allowed' }));

  // Body too large (413) and other body-reading errors keep their status; anything else is a 500 (Zoom retries).
  app.use((error: { status?: number; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 600 ? error.status : 500;
    res.status(status).json({ error: status === 500 ? 'internal error' : (error.message ?? 'bad request') });
  });
  return app;
}
