/**
 * `conformance mock-api`: an offline mock of the Zoom Video SDK REST API, from the bundled spec (or of the APIs of
 * `--spec` files, as the catalog reads them), served by Prism on loopback until Ctrl-C or SIGTERM (or the exit of
 * its parent). A receiver under test points its Zoom API base URL (https://api.zoom.us/v2) at it. Exit codes:
 * 0 stopped, 2 Prism missing or the port taken, 70 Prism stopped on its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PortInUse, PrismUnavailable, startPrism, type PrismServer } from '../engine/prism.js';
import { printable } from '../reports/console.js';
import { BUNDLED_SPECS, bundledSpecDir, loadBundledSpec, type Spec } from '../specs/catalog.js';
import { mockDocumentText } from '../specs/mock-document.js';
import { UsageError, type Io } from './io.js';
import { loadSpecFiles } from '../job/select-specs.js';
import { specOption, specStrictOption } from './spec-options.js';
import type { StopRequest } from './stop-requests.js';

export const MOCK_API_DEFAULT_PORT = 4010;
const SYSTEM = 'video-sdk-api';

export interface MockApiOptions {
  port: number;
  spec?: string[];
  specStrict?: boolean;
  dynamic?: boolean;
  verbose?: boolean;
}

export function registerMockApi(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('mock-api')
    .description('Serve an offline mock of the Zoom Video SDK REST API, or of your --spec files (Prism, on 127.0.0.1), until Ctrl-C or SIGTERM')
    .addOption(new Option('--port <port>', 'the port on 127.0.0.1 (0: any free port)').argParser(portNumber).default(MOCK_API_DEFAULT_PORT))
    .addOption(specOption('mock the REST operations of your own OpenAPI file instead of the bundled Video SDK REST API'))
    .addOption(specStrictOption())
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
        'With --spec, the mock serves the operations of your files as conformance reads them (leniently: examples\n' +
        'given as JSON text are served as JSON; see README, "Spec files as they are").\n\n' +
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
  const specs: Spec[] = options.spec ? await loadSpecFiles(options.spec, io, options.specStrict === true) : [loadBundledSpec(SYSTEM)];
  const operations = specs.flatMap((spec) => spec.operations);
  if (operations.length === 0) throw new UsageError(`${specs.map((spec) => spec.system).join(', ')}: no REST operations to mock (keys of "paths" that start with "/")`);
  const label = options.spec ? `REST API mock of ${printable(options.spec.join(', '))}` : 'Zoom Video SDK REST API mock';
  let mockFolder: string | undefined;
  let specFile = path.join(bundledSpecDir(), BUNDLED_SPECS[SYSTEM]);
  if (options.spec) {
    const text = mockDocumentText(specs);
    mockFolder = mkdtempSync(path.join(os.tmpdir(), 'conformance-mock-api-'));
    specFile = path.join(mockFolder, 'mock.openapi.json');
    writeFileSync(specFile, text);
  }
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
    const example = operations.find((operation) => operation.method === 'get' && !operation.path.includes('{')) ?? operations[0];
    const baseUrl = specs.flatMap((spec) => spec.servers)[0];
    io.stdout.write(
      `${label} listening on ${running.url} (Prism ${running.version}, pid ${running.pid}; ` +
        `${options.dynamic ? 'generated responses' : "responses from the spec's examples"})\n` +
        `  ${operations.length} operations at the paths of the spec${example ? `, e.g. ${example.method.toUpperCase()} ${running.url}${printable(example.path)}` : ''}\n` +
        `  point your app's ${options.spec ? '' : 'Zoom '}API base URL at it: ${printable(baseUrl ?? 'https://api.zoom.us/v2')} -> ${running.url}\n` +
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
    if (mockFolder) rmSync(mockFolder, { recursive: true, force: true });
  }
}
