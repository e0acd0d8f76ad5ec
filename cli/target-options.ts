/**
 * The options of every command that sends to a receiver (the main job, fuzz, send, replay): the endpoint's extra
 * authentication. What they mean is resolved in job/target-options.ts.
 */
import { Option, type Command } from 'commander';

export type { AuthOptions } from '../job/target-options.js';

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
