/**
 * `conformance mock-api`: an offline mock of the Zoom Video SDK REST API, from the bundled spec, served by Prism on
 * loopback until Ctrl-C or SIGTERM (or the exit of its parent). A receiver under test points its Zoom API base URL
 * (https://api.zoom.us/v2) at it. Exit codes: 0 stopped, 2 Prism missing or the port taken, 70 Prism stopped on its
 * own.
 */
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PortInUse, PrismUnavailable, startPrism, type PrismServer } from '../engine/prism.js';
import { BUNDLED_SPECS, bundledSpecDir, loadBundledSpec } from '../specs/catalog.js';
import { printable } from '../reports/console.js';
import { UsageError, type Io } from './io.js';
import type { StopRequest } from './stop-requests.js';

export const MOCK_API_DEFAULT_PORT = 4010;
const SYSTEM = 'video-sdk-api';

export interface MockApiOptions {
  port: number;
  dynamic?: boolean;
  verbose?: boolean;
}

export function registerMockApi(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('mock-api')
    .description('Serve an offline mock of the Zoom Video SDK REST API (Prism, on 127.0.0.1) until Ctrl-C or SIGTERM')
    .addOption(new Option('--port <port>', 'the port on 127.0.0.1 (0: any free port)').argParser(portNumber).default(MOCK_API_DEFAULT_PORT))
    .addOption(new Option('--dynamic', "answer with data generated from the response schemas instead of the spec's examples"))
    .addOption(new Option('--verbose', "print Prism's log of every request (on stderr)"))
    .addHelpText(
      'after',
      '\nThe mock serves the 38 operations of the bundled spec (specs/zoom/video-sdk.api.json) at the paths the spec\n' +
        'gives them: GET http://127.0.0.1:4010/videosdk/sessions is GET https://api.zoom.us/v2/videosdk/sessions.\n' +
        "Point your receiver's Zoom API base URL at the printed URL, e.g. ZOOM_API_BASE_URL=http://127.0.0.1:4010.\n\n" +
        'Requests need "Authorization: Bearer <any token>" (without it: 401; tokens are not verified). Requests\n' +
        "that break the spec (parameters, body) get Prism's validation errors (400 or 422, with the violations in the\n" +
        "body or the sl-violations header). Answers are the spec's examples, or generated data with --dynamic.\n" +
        'Integers beyond 2^53-1 are rejected where the spec says int64 (a limit of Prism, not of Zoom).\n\n' +
        'It stops on Ctrl-C or SIGTERM, and when the process that started it exits (a script that ran it with &, or\n' +
        'npx killed): Prism is stopped and waited for. Prism also ends itself if this process is killed outright.\n\n' +
        'Exit codes: 0 stopped by Ctrl-C, SIGTERM or the exit of its parent, 2 Prism is not installed or the port is in\n' +
        'use, 70 Prism stopped on its own.',
    )
    .action(async (options: MockApiOptions) => {
      setExit(await mockApiCommand(options, io));
    });
}

function portNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError(`--port must be a whole number from 0 to 65535, got "${value}"`);
  return Number(value);
}

/**
 * Starts the mock, prints where it listens, and serves until a stop request (a signal, or the parent going away:
 * cli/stop-requests.ts); resolves with the exit code.
 */
export async function mockApiCommand(options: MockApiOptions, io: Io): Promise<number> {
  const spec = loadBundledSpec(SYSTEM);
  const specFile = path.join(bundledSpecDir(), BUNDLED_SPECS[SYSTEM]);
  // Listen from the start: a request that arrives while Prism starts stops it as soon as it is up.
  const stop = io.listenForStop?.();
  let server: PrismServer | undefined;
  try {
    try {
      server = await startPrism(specFile, {
        port: options.port,
        dynamic: options.dynamic === true,
        startTimeoutMs: 30_000,
        ...(options.verbose ? { onOutput: (chunk: string) => io.stderr.write(printable(chunk)) } : {}),
      });
    } catch (error) {
      if (error instanceof PrismUnavailable) throw new UsageError(error.message);
      if (error instanceof PortInUse) throw new UsageError(`--port: ${error.message} (--port 0 picks a free one)`);
      throw error;
    }
    const running = server;
    const example = spec.operations.find((operation) => operation.method === 'get' && !operation.path.includes('{')) ?? spec.operations[0];
    io.stdout.write(
      `Zoom Video SDK REST API mock listening on ${running.url} (Prism ${running.version}, pid ${running.pid}; ` +
        `${options.dynamic ? 'generated responses' : "responses from the spec's examples"})\n` +
        `  ${spec.operations.length} operations at the paths of the spec${example ? `, e.g. ${example.method.toUpperCase()} ${running.url}${example.path}` : ''}\n` +
        `  point your app's Zoom API base URL at it: ${spec.servers[0] ?? 'https://api.zoom.us/v2'} -> ${running.url}\n` +
        '  send "Authorization: Bearer <any token>"; invalid requests get validation errors (400/422)\n' +
        '  Ctrl-C or SIGTERM stops it (so does the end of the process that started it)\n',
    );
    const stopped = new Promise<StopRequest>((resolve) => {
      if (!stop) return;
      if (stop.signal.aborted) resolve(stop.request()!);
      else stop.signal.addEventListener('abort', () => resolve(stop.request()!), { once: true });
    });
    const outcome = await Promise.race([stopped.then((request) => ({ request })), running.exited.then((status) => ({ status }))]);
    if ('request' in outcome) {
      await running.stop();
      const { request } = outcome;
      io.stdout.write(`mock-api: ${request.source === 'signal' ? `stopped (${request.signal})` : request.reason}\n`);
      return 0;
    }
    const lastLines = running.output().trim().split('\n').slice(-5).join('\n');
    io.stderr.write(`conformance: Prism stopped on its own (code ${outcome.status.code}, signal ${outcome.status.signal})\n${printable(lastLines)}\n`);
    return 70;
  } finally {
    await server?.stop();
    stop?.close();
  }
}
