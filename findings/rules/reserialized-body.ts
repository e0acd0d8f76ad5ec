/**
 * The signature is verified over re-serialized JSON (JSON.stringify of the parsed body) instead of the raw bytes:
 * every correctly signed body whose bytes differ from that re-serialization is refused like a forgery, every other
 * one is accepted.
 */
import { VERIFY_RAW_BODY } from '../fix-examples.js';
import { defineRule } from '../finding.js';
import { accepted, claim, count, genuine } from '../run.js';

export const reserializedBody = defineRule({
  id: 'reserialized-body',
  title: 'The signature is verified over re-serialized JSON, not the raw body',
  cause:
    "The receiver computes the signature over JSON.stringify(parsed body) instead of the bytes Zoom signed, so a body with other whitespace, \\uXXXX escapes, escaped slashes or an integer beyond 2^53 fails verification (Zoom's own sample has this bug).",
  fix: 'Keep the raw request body (a Buffer) and compute the HMAC over exactly those bytes; parse the JSON only after verifying.',
  fixExample: VERIFY_RAW_BODY,
  diagnose(run) {
    if (!run.failing().some(({ x }) => genuine(x) && x.traits!.compact === false)) return [];
    const rawBody = run.of('signature.raw-body').flatMap(({ record }) => record.exchanges);
    // How it refuses a wrong signature; without forgeries in the run, how it refused the raw-body deliveries.
    let rejections = run.signatureRejections();
    if (rejections.size === 0) rejections = new Set(rawBody.flatMap((x) => (x.response && !accepted(x) ? [x.response.status] : [])));
    if (rejections.size === 0) return [];
    const deliveries = run.genuine();
    const reshaped = deliveries.filter(({ x }) => x.traits!.compact === false);
    const compact = deliveries.filter(({ x }) => x.traits!.compact === true);
    const refusedLikeForgery = ({ x }: { x: (typeof deliveries)[number]['x'] }) => x.response !== undefined && rejections.has(x.response.status);
    // The pattern: no reshaped body accepted, reshaped ones refused like a forgery, no compact one refused so.
    if (reshaped.some(({ x }) => accepted(x)) || compact.some(refusedLikeForgery) || !compact.some(({ x }) => accepted(x))) return [];
    const refused = reshaped.filter(refusedLikeForgery);
    // The check made for it must show it when it ran (a fuzz run has none: two refusals at least, then).
    if (run.ran('signature.raw-body') ? !refused.some(({ record }) => record.id === 'signature.raw-body') : refused.length < 2) return [];
    const statuses = [...new Set(refused.map(({ x }) => x.response!.status))].join(', ');
    return [
      {
        summary: `${count(refused.length, 'correctly signed delivery', 'correctly signed deliveries')} whose bytes differ from JSON.stringify(JSON.parse(body)) got ${statuses}, as forgeries do; ${count(compact.filter(({ x }) => accepted(x)).length, 'compact one')} were accepted.`,
        claims: refused.filter(({ record }) => record.status === 'fail').map(claim),
      },
    ];
  },
});
