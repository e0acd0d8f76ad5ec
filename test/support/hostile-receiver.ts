/**
 * A hostile webhook receiver for the report tests: a real process on 127.0.0.1 that answers every request 200 (so it
 * fails every forgery and URL-validation check, and failure panels exist) with markup and script payloads in its
 * body and header values, control characters XML cannot hold, and the secret token echoed back, so that the tests
 * can prove every report escapes what a target sends and redacts the secret.
 *
 * With `--fail-everything` it verifies signatures the way Zoom's documentation says and answers every valid delivery
 * 500 and everything else 200, each with a distinct 64 KiB body (the engine's cap) full of the same payloads: every
 * check that can fail does, with the largest answers a report can hold (the report size bound's worst case).
 *
 * Run: `ZOOM_WEBHOOK_SECRET_TOKEN=... node --import tsx test/support/hostile-receiver.ts [--port N]
 * [--fail-everything]`; it prints one line, `hostile receiver listening on http://127.0.0.1:<port>/zoom/webhook`.
 */
import http from 'node:http';
import path from 'node:path';
import { isMainModule, listenAndAnnounce, parseListenArguments, readSecretToken, stopOnSignals } from '../../examples/receivers/command-line.js';
import { startChild } from './child-process.js';
import { signature } from './hand-signed.js';
import { REPO_ROOT } from './paths.js';

/** Each would run script, open a dialog or load something if a report put it into a page as markup. */
export const SCRIPT_PAYLOADS = [
  '<script>alert(1);window.__pwned="script"</script>',
  '<img src=x onerror="alert(2);window.__pwned=\'img\'">',
  '</script><script>alert(3);window.__pwned="close"</script>',
  '"><svg onload="alert(4);window.__pwned=\'svg\'">',
  "'><iframe src=\"javascript:alert(5)\"></iframe>",
  '<!--<script>alert(6)</script>-->',
  '<img src="http://127.0.0.1:9/leak.png">',
  '<link rel="stylesheet" href="http://127.0.0.1:9/leak.css">',
  '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/">',
  '<style>@import "http://127.0.0.1:9/leak.css";</style>',
];

/** Header values Node lets a server send (no control characters). */
export const HEADER_PAYLOADS: Record<string, string> = {
  'x-script': SCRIPT_PAYLOADS[0]!,
  'x-img': SCRIPT_PAYLOADS[1]!,
  'x-close-script': SCRIPT_PAYLOADS[2]!,
  'x-svg': SCRIPT_PAYLOADS[3]!,
};

/** Characters XML 1.0 cannot hold, and markup that breaks CDATA and comments. */
export const XML_BREAKERS = '\u0000\u0001\u0007\u000b\u000c\u001b[31m\ufffe\uffff ]]> <![CDATA[ --> \u2028';

export function hostileBody(secret: string): string {
  return `<html><body>\n${SCRIPT_PAYLOADS.join('\n')}\n${XML_BREAKERS}\nsecret=${secret}\n</body></html>\n`;
}

/** The engine keeps this much of a response body. */
const LARGEST_ANSWER = 64 * 1024;

function serve(secret: string, failEverything: boolean): http.Server {
  let answers = 0;
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = { 'content-type': 'text/html; charset=utf-8', ...HEADER_PAYLOADS, 'x-echo-secret': secret };
      if (!failEverything) {
        res.writeHead(200, headers).end(hostileBody(secret));
        return;
      }
      const timestamp = String(req.headers['x-zm-request-timestamp'] ?? '');
      const valid = req.headers['x-zm-signature'] === signature(secret, timestamp, Buffer.concat(chunks));
      const unit = `answer ${++answers}\n${hostileBody(secret)}`;
      res.writeHead(valid ? 500 : 200, headers).end(unit.repeat(Math.ceil(LARGEST_ANSWER / unit.length)).slice(0, LARGEST_ANSWER));
    });
  });
}

export interface HostileReceiver {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const SCRIPT = path.join(REPO_ROOT, 'test/support/hostile-receiver.ts');
const LISTENING = /hostile receiver listening on (http:\/\/127\.0\.0\.1:\d+\/zoom\/webhook)/;

/** Starts it as a child process (via tsx) on a free loopback port; `stop()` ends it by PID. */
export async function startHostileReceiver(secret: string, options: { failEverything?: boolean } = {}): Promise<HostileReceiver> {
  const args = ['--import', 'tsx', SCRIPT, '--port', '0', '--host', '127.0.0.1', ...(options.failEverything ? ['--fail-everything'] : [])];
  const child = await startChild(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ZOOM_WEBHOOK_SECRET_TOKEN: secret },
    label: 'hostile receiver',
  });
  let match: RegExpMatchArray;
  try {
    match = await child.waitForStdout(LISTENING, 20_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    url: match[1]!,
    pid: child.pid,
    stop: async () => {
      await child.stop();
    },
  };
}

if (isMainModule(import.meta.url)) {
  const { port, host, values } = parseListenArguments(process.argv.slice(2), { 'fail-everything': { type: 'boolean' } });
  const server = serve(readSecretToken(), values['fail-everything'] === true);
  listenAndAnnounce(server, { port, host, label: 'hostile receiver' });
  stopOnSignals(server, 500);
}
