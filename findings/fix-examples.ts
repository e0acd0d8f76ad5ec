/** The short Node examples the fixes of several findings quote (Express, as Zoom's own sample uses it). */

/** Reading the raw body and verifying the signature over those bytes, in constant time, before anything else. */
export const VERIFY_RAW_BODY = `// The raw bytes, exactly as Zoom signed them (not JSON.stringify(req.body)).
app.post('/zoom/webhook', express.raw({ type: 'application/json', limit: '4mb' }), (req, res) => {
  const timestamp = req.get('x-zm-request-timestamp') ?? '';
  const expected = 'v0=' + crypto.createHmac('sha256', process.env.ZOOM_WEBHOOK_SECRET_TOKEN)
    .update(\`v0:\${timestamp}:\`).update(req.body).digest('hex');
  const received = Buffer.from(req.get('x-zm-signature') ?? '');
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
  if (!fresh || received.length !== expected.length || !crypto.timingSafeEqual(received, Buffer.from(expected))) {
    return res.status(401).json({ error: 'invalid signature' });
  }
  const event = JSON.parse(req.body.toString('utf8'));
  // ... the URL validation challenge, then the event
});`;

/** A comparison of the whole signature, in constant time. */
export const CONSTANT_TIME_COMPARE = `function signatureMatches(received, expected) {
  const a = Buffer.from(received ?? '', 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // Equal lengths first: timingSafeEqual compares every byte, never a prefix.
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}`;

/** A freshness window on the signed timestamp, both ways. */
export const FRESHNESS_WINDOW = `const timestamp = Number(req.get('x-zm-request-timestamp'));
// 5 minutes either way: a replayed (old) or post-dated delivery is refused.
if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) {
  return res.status(401).json({ error: 'stale or future timestamp' });
}`;

/** Acknowledging first and doing the work afterwards. */
export const ACKNOWLEDGE_FIRST = `res.status(200).end();          // within 3 seconds, before the slow work
setImmediate(() => handle(event)); // or a queue: the work runs after the answer`;

/** Deduplicating retries and copies by the digest of the raw body, in one atomic step. */
export const DEDUPLICATE = `const id = crypto.createHash('sha256').update(req.body).digest('hex'); // a retry repeats the body byte for byte
// One atomic step: mark it seen unless it already was (an INSERT on a unique key, Redis SET NX, or an in-process
// Set checked and added with no await in between). A lookup, an await, then a mark lets simultaneous copies through.
const first = await seen.setIfAbsent(id, { ttlSeconds: 2 * 60 * 60 }); // Zoom retries for about 85 minutes
res.status(200).end();                                                  // copies are acknowledged all the same
if (first) apply(event);`;
