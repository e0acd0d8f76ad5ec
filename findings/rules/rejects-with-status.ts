/** Deliveries that fail verification are refused with another status than 401 (one finding per status). */
import { defineRule } from '../finding.js';
import { claim, count, type Located } from '../run.js';

export const rejectsWithStatus = defineRule({
  id: 'rejects-with-<status>',
  title: 'Rejections are not answered 401',
  cause: 'The receiver refuses deliveries that fail verification with another status than 401.',
  fix: 'Answer 401 to a delivery whose signature or timestamp does not verify.',
  fixExample: `return res.status(401).json({ error: 'invalid signature' });`,
  diagnose(run) {
    const byStatus = new Map<number, Located[]>();
    for (const located of run.failing()) {
      if (located.record.id !== 'signature.rejected-with-401' || located.x.response === undefined) continue;
      const status = located.x.response.status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), located]);
    }
    return [...byStatus].map(([status, list]) => ({
      id: `rejects-with-${status}`,
      title: `Rejections are answered ${status} instead of 401`,
      cause:
        status >= 500
          ? `The receiver answers ${status} to deliveries that fail verification: an error where a refusal belongs (Zoom retries a 5xx; a forgery deserves a plain 401).`
          : `The receiver refuses deliveries that fail verification with ${status}; any 4xx stops Zoom's retries, but 401 is the recommended answer (Zoom's sample) and tells operators what happened.`,
      summary: `${count(list.length, 'rejected delivery', 'rejected deliveries')} (forged or stale signatures) got ${status}.`,
      claims: list.map(claim),
    }));
  },
});
