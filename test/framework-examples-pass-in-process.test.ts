/**
 * The framework examples (examples/frameworks/) are compliant receivers: each passes every check in process through
 * describeConformance (one test per check), strictly, with its observer, the way a user's own test file would run
 * them: the Express app over every bundled event, the two fetch handlers over the Video SDK and RTMS events (their
 * session and stream lifecycles included), to keep the file's time down.
 */
import { createZoomExpressApp } from '../examples/frameworks/express.js';
import { createZoomHonoApp } from '../examples/frameworks/hono.js';
import { appliedCount, POST } from '../examples/frameworks/next-route.js';
import { describeConformance } from '../integrations/vitest.js';

const secret = 'framework-examples-secret';
process.env.ZOOM_WEBHOOK_SECRET_TOKEN = secret;

describeConformance('Express app (a request listener)', {
  target: createZoomExpressApp({ secretToken: secret, observer: true }),
  path: '/zoom/webhook',
  observe: '/zoom/observe',
  secret,
  seed: 15,
  strict: true,
});

describeConformance('Hono app (an object with fetch)', {
  target: createZoomHonoApp({ secretToken: secret, observer: true }),
  path: '/zoom/webhook',
  observe: '/zoom/observe',
  secret,
  systems: 'video-sdk,rtms',
  seed: 16,
  strict: true,
});

describeConformance('Next.js route handler (a fetch handler)', {
  target: POST,
  observe: appliedCount,
  secret,
  systems: 'video-sdk,rtms',
  seed: 17,
  strict: true,
});
