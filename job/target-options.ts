/**
 * What every job that sends to a receiver resolves: the target URL, the secret token, the endpoint's extra
 * authentication and the events to pick from. `name` is how an option is called where it was given (`--events` on
 * the command line, `events` in a configuration file or the library).
 */
import picomatch from 'picomatch';
import type { EndpointAuth } from '../profiles/zoom.js';
import type { WebhookEvent } from '../specs/catalog.js';
import { splitList } from './select-specs.js';
import { UsageError } from './usage-error.js';

export interface AuthOptions {
  basic?: string;
  bearer?: string;
  /** Custom headers, each `name: value`. */
  header?: readonly string[];
}

/** The secret token from the option or ZOOM_WEBHOOK_SECRET_TOKEN; never printed. */
export function resolveSecret(options: { secret?: string }, io: { env: NodeJS.ProcessEnv }, name = '--secret'): string {
  const secret = options.secret ?? io.env.ZOOM_WEBHOOK_SECRET_TOKEN;
  if (!secret) throw new UsageError(`no secret token: set ZOOM_WEBHOOK_SECRET_TOKEN (or pass ${name}), the Secret Token of your Zoom app`);
  return secret;
}

export function parseTarget(value: string | undefined): URL {
  if (!value) throw new UsageError('--target URL is required (the URL where your receiver takes Zoom webhooks)');
  return parseUrl(value, '--target');
}

export function parseUrl(value: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option} must be an http:// or https:// URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} must be an http:// or https:// URL, got "${value}"`);
  return url;
}

export function selectEvents(events: WebhookEvent[], globs: string | undefined, name = '--events'): WebhookEvent[] {
  if (globs === undefined) return events;
  const patterns = splitList(globs);
  if (patterns.length === 0) throw new UsageError(`${name} needs at least one glob`);
  const matchers = patterns.map((pattern) => ({ pattern, match: picomatch(pattern, { dot: true }) }));
  for (const { pattern, match } of matchers) {
    if (!events.some((event) => match(event.name))) throw new UsageError(`${name}: "${pattern}" matches no event (see: conformance list)`);
  }
  return events.filter((event) => matchers.some(({ match }) => match(event.name)));
}

export function parseAuth(options: AuthOptions, names: { basic: string; bearer: string; header: string } = { basic: '--basic', bearer: '--bearer', header: '--header' }): EndpointAuth | undefined {
  if (options.basic !== undefined && options.bearer !== undefined) throw new UsageError(`give ${names.basic} or ${names.bearer}, not both (Zoom sends one authorization header)`);
  const auth: EndpointAuth = {};
  if (options.basic !== undefined) {
    const colon = options.basic.indexOf(':');
    if (colon <= 0) throw new UsageError(`${names.basic} takes user:password`);
    auth.basic = { user: options.basic.slice(0, colon), password: options.basic.slice(colon + 1) };
  }
  if (options.bearer !== undefined) {
    if (!options.bearer.trim()) throw new UsageError(`${names.bearer} needs a token`);
    auth.bearer = options.bearer.trim();
  }
  if (options.header && options.header.length > 0) {
    auth.headers = options.header.map((header) => {
      const match = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):\s*(.*)$/.exec(header);
      if (!match || /[\r\n]/.test(match[2]!)) throw new UsageError(`${names.header} takes "name: value", got "${header.split(':')[0]}: …"`);
      return [match[1]!.toLowerCase(), match[2]!] as const;
    });
  }
  return Object.keys(auth).length > 0 ? auth : undefined;
}
