/** Bodies above a size are refused (413, or another refusal of big bodies only), smaller ones are accepted. */
import { defineRule } from '../finding.js';
import { accepted, claim, count, genuine, type Located } from '../run.js';

/** How a delivery was refused: a status, or the way the connection ended. */
function refusal({ x }: Located): string {
  return x.response ? String(x.response.status) : (x.error?.kind ?? 'none');
}

/** The kinds that make a body large. */
const SIZE_KINDS = new Set(['array.large', 'string.long']);

/** An edge kind (other than one that makes a body large) that every one of the deliveries carries. */
function sharedKind(deliveries: readonly Located[]): string | undefined {
  const [first, ...rest] = deliveries.map(({ x }) => x.traits?.edges ?? []);
  return first?.find((kind) => !SIZE_KINDS.has(kind) && rest.every((kinds) => kinds.includes(kind)));
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export const bodySizeLimit = defineRule({
  id: 'body-size-limit',
  title: 'Bodies above a size limit are refused',
  cause: 'The receiver (or its body parser: 100 KB is the default of Express\'s express.json and express.raw) refuses bodies above a size, while Zoom\'s deliveries have no such limit: recording and participant lists grow large.',
  fix: 'Raise the body limit of the webhook route well above the largest delivery you expect (a few MB), or remove it.',
  fixExample: `app.post('/zoom/webhook', express.raw({ type: 'application/json', limit: '4mb' }), handler);`,
  diagnose(run) {
    if (!run.failing().some(({ x }) => genuine(x) && !accepted(x))) return [];
    const deliveries = run.genuine();
    const ok = deliveries.filter(({ x }) => accepted(x));
    if (ok.length === 0) return [];
    const largestAccepted = Math.max(...ok.map(({ x }) => x.traits!.bytes));
    // Refused bodies larger than anything accepted, answered otherwise than a wrong signature is (that is another cause).
    const rejections = run.signatureRejections();
    const larger = deliveries.filter(({ x }) => x.traits!.bytes > largestAccepted && !(x.response && rejections.has(x.response.status)));
    if (larger.length === 0) return [];
    const ways = new Set(larger.map(refusal));
    const [way] = ways;
    if (ways.size !== 1 || way === 'timeout') return [];
    // 413 says it; another refusal only when several bodies of different makings share nothing but their size.
    if (way !== '413' && (larger.length < 2 || sharedKind(larger) !== undefined)) return [];
    const smallestRefused = Math.min(...larger.map(({ x }) => x.traits!.bytes));
    return [
      {
        summary: `${count(larger.length, 'delivery', 'deliveries')} of ${kb(smallestRefused)} and more ${way === '413' ? 'were answered 413' : `got ${way}`}; ${count(ok.length, 'delivery', 'deliveries')} up to ${kb(largestAccepted)} were accepted.`,
        claims: larger.filter(({ record }) => record.status === 'fail').map(claim),
        parameter: {
          name: 'body size limit',
          value: `between ${kb(largestAccepted)} (accepted) and ${kb(smallestRefused)} (refused)`,
          unit: 'bytes',
          atLeast: largestAccepted,
          atMost: smallestRefused - 1,
        },
      },
    ];
  },
});
