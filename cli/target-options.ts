/**
 * Options shared by every command that sends to a receiver (the main job, fuzz, send, replay): the target URL, the
 * secret token, the endpoint's extra authentication and the events to pick from.
 */
import { Option, type Command } from 'commander';
import picomatch from 'picomatch';
import type { WebhookEvent } from '../specs/catalog.js';
import type { EndpointAuth } from '../profiles/zoom.js';
import { UsageError, type Io } from './io.js';
import { splitList } from './select-specs.js';

export interface AuthOptions {
  basic?: string;
  bearer?: string;
  header?: string[];
}

/** --basic, --bearer, --header (the authentication the endpoint has in Zoom) and --insecure. */
export function addAuthOptions(command: Command): Command {
  return command
    .addOption(new Option('--basic <user:password>', 'send Basic authentication, as configured for the endpoint in Zoom'))
    .addOption(new Option('--bearer <token>', 'send a Bearer token, as configured for the endpoint in Zoom'))
    .addOption(
      new Option('--header <"x-name: value">', 'send a custom header, as configured for the endpoint in Zoom (repeatable)')
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .addOption(new Option('--insecure', 'accept a self-signed TLS certificate (test targets only)'));
}

/** The secret token from --secret or ZOOM_WEBHOOK_SECRET_TOKEN; never printed. */
export function resolveSecret(options: { secret?: string }, io: Io): string {
  const secret = options.secret ?? io.env.ZOOM_WEBHOOK_SECRET_TOKEN;
  if (!secret) throw new UsageError('no secret token: set ZOOM_WEBHOOK_SECRET_TOKEN (or pass --secret), the Secret Token of your Zoom app');
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

export function selectEvents(events: WebhookEvent[], globs: string | undefined): WebhookEvent[] {
  if (globs === undefined) return events;
  const patterns = splitList(globs);
  if (patterns.length === 0) throw new UsageError('--events needs at least one glob');
  const matchers = patterns.map((pattern) => ({ pattern, match: picomatch(pattern, { dot: true }) }));
  for (const { pattern, match } of matchers) {
    if (!events.some((event) => match(event.name))) throw new UsageError(`--events: "${pattern}" matches no event (see: conformance list)`);
  }
  return events.filter((event) => matchers.some(({ match }) => match(event.name)));
}

export function parseAuth(options: AuthOptions): EndpointAuth | undefined {
  if (options.basic !== undefined && options.bearer !== undefined) throw new UsageError('give --basic or --bearer, not both (Zoom sends one authorization header)');
  const auth: EndpointAuth = {};
  if (options.basic !== undefined) {
    const colon = options.basic.indexOf(':');
    if (colon <= 0) throw new UsageError('--basic takes user:password');
    auth.basic = { user: options.basic.slice(0, colon), password: options.basic.slice(colon + 1) };
  }
  if (options.bearer !== undefined) {
    if (!options.bearer.trim()) throw new UsageError('--bearer needs a token');
    auth.bearer = options.bearer.trim();
  }
  if (options.header && options.header.length > 0) {
    auth.headers = options.header.map((header) => {
      const match = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):\s*(.*)$/.exec(header);
      if (!match || /[\r\n]/.test(match[2]!)) throw new UsageError(`--header takes "name: value", got "${header.split(':')[0]}: …"`);
      return [match[1]!.toLowerCase(), match[2]!] as const;
    });
  }
  return Object.keys(auth).length > 0 ? auth : undefined;
}

