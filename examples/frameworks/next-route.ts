/**
 * A compliant Zoom webhook receiver as a Next.js route handler (App Router): copy it into
 * `app/api/zoom/webhook/route.ts`. Route handlers get a standard `Request`: read the body with
 * `request.arrayBuffer()`, never `request.json()`, because Zoom signs the bytes. The verification steps are the
 * building blocks of examples/receivers/compliant.ts: a constant-time comparison, a 5-minute freshness window, the
 * URL validation challenge answered only when signed, and deduplication by the digest of the raw body, looked up
 * and marked with no `await` in between.
 *
 * The memory of deliveries and the applied counts live in this module here; a real app keeps them in its database
 * or Redis (serverless instances do not share memory). `appliedCount` is what a test-only observer route serves:
 *
 *   // app/api/zoom/observe/route.ts (test mode only)
 *   export function GET(request: Request) {
 *     const query = new URL(request.url).searchParams;
 *     return Response.json({ count: appliedCount(query.get('event') ?? '', query.get('event_ts')) });
 *   }
 *
 * Test it in process with `describeConformance('Zoom webhooks', { target: POST, observe: appliedCount })`.
 */
import {
  challengeResponse,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TOLERANCE_SECONDS,
  deliveryId,
  DeliveryMemory,
  effectKey,
  parseZoomEvent,
  plainTokenOf,
  verifyZoomSignature,
} from '../receivers/compliant.js';

const memory = new DeliveryMemory();
const applied = new Map<string, number>();

export async function POST(request: Request): Promise<Response> {
  // Next answers 405 to methods a route does not export; served on its own, this handler does the same.
  if (request.method !== 'POST') return Response.json({ error: 'method not allowed' }, { status: 405, headers: { allow: 'POST' } });
  const secretToken = process.env.ZOOM_WEBHOOK_SECRET_TOKEN;
  if (!secretToken) return Response.json({ error: 'ZOOM_WEBHOOK_SECRET_TOKEN is not set' }, { status: 500 });
  if (Number(request.headers.get('content-length')) > DEFAULT_MAX_BODY_BYTES) return Response.json({ error: 'body too large' }, { status: 413 });
  const body = Buffer.from(await request.arrayBuffer());
  if (body.length > DEFAULT_MAX_BODY_BYTES) return Response.json({ error: 'body too large' }, { status: 413 });
  // Headers as Node has them (lower-case names): what the building blocks read.
  const headers = Object.fromEntries(request.headers);
  // 1. Verify over the exact bytes, before anything else (the challenge included).
  const verification = verifyZoomSignature(body, headers, secretToken, DEFAULT_TOLERANCE_SECONDS, Math.floor(Date.now() / 1000));
  if (!verification.ok) return Response.json({ error: verification.reason }, { status: 401 });
  // 2. Parse.
  const event = parseZoomEvent(body);
  if (!event) return Response.json({ error: 'body is not a JSON object with a string "event"' }, { status: 400 });
  // 3. The endpoint URL validation challenge.
  if (event.event === 'endpoint.url_validation') {
    const plainToken = plainTokenOf(event);
    if (plainToken === undefined) return Response.json({ error: 'endpoint.url_validation without a string payload.plainToken' }, { status: 400 });
    return Response.json(challengeResponse(plainToken, secretToken));
  }
  // 4. Apply once: a retry or a duplicate repeats the body byte for byte. No await between the lookup and the mark.
  const id = deliveryId(body);
  if (!memory.has(id)) {
    memory.add(id);
    const key = effectKey(event.event, event.event_ts);
    applied.set(key, (applied.get(key) ?? 0) + 1);
    // A real app enqueues the event here (after(), a queue, a table) and does the slow work later.
  }
  // 5. Acknowledge at once.
  return new Response(null, { status: 200 });
}

/** How many times deliveries with this event and event_ts were applied (what the observer route serves). */
export function appliedCount(event: string, eventTs: unknown): number {
  return applied.get(effectKey(event, eventTs)) ?? 0;
}
