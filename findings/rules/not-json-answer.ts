/**
 * Signed bodies that are not JSON get a server error (`crashes-on-not-json`) or are acknowledged
 * (`accepts-not-json`) instead of a 4xx.
 */
import { defineRule, type Match } from '../finding.js';
import { accepted, claim, count, crashed, type Located } from '../run.js';

/** A delivery whose body is not JSON: from the not-JSON check, or a fuzz case that breaks JSON. */
function notJson({ record, x }: Located): boolean {
  return record.id === 'robustness.not-json' || (x.traits?.edges ?? []).some((kind) => kind.startsWith('json.'));
}

export const notJsonAnswer = defineRule({
  id: 'crashes-on-not-json',
  title: 'Bodies that are not JSON crash the receiver',
  cause: 'The receiver parses the body without handling a parse error, and answers a server error to a signed body that is not JSON: a 5xx reads as an outage, and Zoom retries it.',
  fix: 'Catch the parse error and answer 400.',
  fixExample: `let event;
try { event = JSON.parse(rawBody.toString('utf8')); } catch { return res.status(400).json({ error: 'body is not JSON' }); }`,
  diagnose(run) {
    const failing = run.failing().filter(notJson);
    const crashes = failing.filter(({ x }) => crashed(x));
    const acknowledgedAnyway = failing.filter(({ x }) => accepted(x));
    const matches: Match[] = [];
    if (crashes.length > 0) {
      matches.push({ summary: `${count(crashes.length, 'signed body', 'signed bodies')} that ${crashes.length === 1 ? 'is' : 'are'} not JSON got a server error or a dropped connection.`, claims: crashes.map(claim) });
    }
    if (acknowledgedAnyway.length > 0) {
      matches.push({
        id: 'accepts-not-json',
        title: 'Bodies that are not JSON are accepted',
        cause: 'The receiver answers 2xx to signed bodies that are not JSON: what it cannot read it should refuse with a 4xx, which says the sender is at fault.',
        fix: 'Answer 400 to a body that does not parse as a JSON object with a string "event".',
        summary: `${count(acknowledgedAnyway.length, 'signed body', 'signed bodies')} that ${acknowledgedAnyway.length === 1 ? 'is' : 'are'} not JSON got 2xx.`,
        claims: acknowledgedAnyway.map(claim),
      });
    }
    return matches;
  },
});
