/** Signed bodies that break their event's schema crash the receiver (5xx or a dropped connection). */
import { defineRule } from '../finding.js';
import { acknowledged, claim, count, crashed } from '../run.js';

export const crashesOnSchemaViolation = defineRule({
  id: 'crashes-on-schema-violation',
  title: 'Bodies that break the event schema crash the receiver',
  cause: 'The receiver answers a server error to signed bodies that break their event\'s schema (a validation failure thrown as an error): Zoom retries a 5xx, and its next schema change becomes an outage.',
  fix: 'Answer a body that fails validation with 400 (or acknowledge it and log it), never with a 5xx.',
  fixExample: `const problems = validate(event);
if (problems.length > 0) return res.status(400).json({ error: 'invalid event', problems });`,
  diagnose(run) {
    const crashes = run
      .failing()
      .filter(({ x }) => x.traits?.signature === 'valid' && (x.traits.edges ?? []).some((kind) => kind.startsWith('schema.')) && crashed(x));
    if (crashes.length === 0 || !run.genuine().some(({ x }) => acknowledged(x))) return [];
    const statuses = [...new Set(crashes.map(({ x }) => (x.response ? String(x.response.status) : (x.error?.kind ?? 'no answer'))))].join(', ');
    return [{ summary: `${count(crashes.length, 'signed body', 'signed bodies')} breaking the event schema got ${statuses}; valid deliveries were acknowledged.`, claims: crashes.map(claim) }];
  },
});
