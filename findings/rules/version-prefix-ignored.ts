/** `v1=<the right digest>` is accepted: the receiver ignores the scheme before the digest. */
import { defineRule } from '../finding.js';
import { accepted, claim } from '../run.js';

export const versionPrefixIgnored = defineRule({
  id: 'version-prefix-ignored',
  title: 'The signature scheme (v0=) is not checked',
  cause: 'The receiver accepts "v1=" followed by the right digest: it compares only what follows the "=", so it will mis-verify the day Zoom adds a scheme.',
  fix: 'Compare the whole header value with the whole expected signature, "v0=" included.',
  fixExample: `const expected = 'v0=' + crypto.createHmac('sha256', SECRET).update(\`v0:\${timestamp}:\`).update(rawBody).digest('hex');
const ok = received.length === expected.length && crypto.timingSafeEqual(Buffer.from(received), Buffer.from(expected));`,
  diagnose(run) {
    const prefixed = run.failing().filter(({ x }) => x.traits?.signature === 'version-prefix' && accepted(x));
    if (prefixed.length === 0) return [];
    if (run.wrongDigestsRefused() === 0) return [];
    return [{ summary: `"v1=" with the right digest was accepted ${prefixed.length === 1 ? 'once' : `${prefixed.length} times`}; wrong digests were refused.`, claims: prefixed.map(claim) }];
  },
});
