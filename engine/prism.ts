/**
 * Prism (@stoplight/prism-cli) as a mock server of an OpenAPI document: `prism mock` run as a child process.
 *
 * Prism's bin file is run with this Node (`process.execPath`), not through npx or a shell, so the PID held is the
 * server's; `--multiprocess=false` keeps it one process (Prism forks a worker by default when NODE_ENV is
 * `production`). The server is ready once its port accepts connections; `stop()` kills it by PID and waits. Prism
 * watches this process too (`EXIT_WITH_PARENT`): killed with SIGKILL, we leave no Prism behind.
 *
 * What Prism 5.14 does that matters to its users (checked by running it):
 * - it mocks the operations under `paths` only (a document with nothing but `webhooks` is refused);
 * - requests are validated (security, parameters, body) and an invalid one is answered with the operation's
 *   declared 400/422 response, or 422 with a problem+json list of violations; a missing or non-Bearer
 *   `Authorization` is answered 401, while any `Bearer <something>` passes (tokens are not verified);
 * - `format: int64` is read as `maximum: 2^53-1`, so larger integers (legal in Zoom's ids) are rejected;
 * - responses are the documented examples, or data generated from the schemas with `--dynamic` (`-d`).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { canConnect, EXIT_WITH_PARENT, freePort, startProcess, waitUntilAccepting, type ExitStatus } from './server-process.js';

export const PRISM_PACKAGE = '@stoplight/prism-cli';

/** Prism is not installed (an optional dependency of this package: `npm install --omit=optional` leaves it out). */
export class PrismUnavailable extends Error {
  override name = 'PrismUnavailable';
}

/** The port asked for is taken. */
export class PortInUse extends Error {
  override name = 'PortInUse';
}

export interface PrismInstallation {
  /** The bin file (`dist/index.js`). */
  bin: string;
  version: string;
}

/** Where Prism is installed, found the way Node resolves packages from this module; undefined when it is not. */
export function findPrism(): PrismInstallation | undefined {
  const require = createRequire(import.meta.url);
  let manifestFile: string;
  try {
    manifestFile = require.resolve(`${PRISM_PACKAGE}/package.json`);
  } catch {
    return undefined;
  }
  const manifest = require(manifestFile) as { version?: string; bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : (manifest.bin?.prism ?? 'dist/index.js');
  return { bin: path.join(path.dirname(manifestFile), bin), version: manifest.version ?? 'unknown' };
}

export interface PrismOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default): any free port. */
  port?: number;
  /** Responses generated from the schemas instead of the examples (`-d`). */
  dynamic?: boolean;
  /** Turn response violations into errors (`--errors`). */
  errors?: boolean;
  /** How long Prism may take to accept connections. Default 30 s. */
  startTimeoutMs?: number;
  /** Extra arguments after the standard ones. */
  extraArgs?: readonly string[];
  /** Called with Prism's output as it arrives (its log of requests). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface PrismServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  host: string;
  port: number;
  pid: number;
  version: string;
  /** Prism's output so far (the tail of it), for diagnostics. */
  output(): string;
  /** Resolves when Prism has exited, for whatever reason. */
  exited: Promise<ExitStatus>;
  /** Kills Prism by PID (SIGTERM, then SIGKILL) and waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `prism mock <specFile>` on host:port and resolves once it accepts connections. With port 0 a free port is
 * picked (and picked again if it was taken in between). Throws PrismUnavailable when Prism is not installed,
 * PortInUse when an explicit port is taken, and an Error with Prism's output when it fails otherwise.
 */
export async function startPrism(specFile: string, options: PrismOptions = {}): Promise<PrismServer> {
  const prism = findPrism();
  if (!prism) throw new PrismUnavailable(`Prism is not installed (${PRISM_PACKAGE}, an optional dependency left out by --omit=optional): npm install ${PRISM_PACKAGE}@~5.14.2`);
  const host = options.host ?? '127.0.0.1';
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await freePort(host));
    try {
      return await startOnce(prism, specFile, host, port, options);
    } catch (error) {
      if (!(error instanceof PortInUse) || options.port || attempt >= 3) throw error;
    }
  }
}

async function startOnce(prism: PrismInstallation, specFile: string, host: string, port: number, options: PrismOptions): Promise<PrismServer> {
  // Readiness is "the port accepts connections": a port someone else already listens on would look ready at once.
  if (await canConnect(host, port)) throw new PortInUse(`port ${port} on ${host} is already in use`);
  const args = [
    // Prism ends itself if this process is killed without a chance to stop it (SIGKILL).
    ...EXIT_WITH_PARENT,
    prism.bin,
    'mock',
    specFile,
    '--host',
    host,
    '--port',
    String(port),
    '--multiprocess=false',
    ...(options.dynamic ? ['--dynamic'] : []),
    ...(options.errors ? ['--errors'] : []),
    ...(options.extraArgs ?? []),
  ];
  const server = await startProcess(process.execPath, args, {
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    label: 'prism',
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  try {
    await waitUntilAccepting(server, host, port, options.startTimeoutMs ?? 30_000, 'prism');
  } catch (error) {
    await server.stop();
    if (/EADDRINUSE/.test(server.output())) throw new PortInUse(`port ${port} on ${host} is already in use`);
    throw error;
  }
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    pid: server.pid,
    version: prism.version,
    output: server.output,
    exited: server.exited,
    stop: () => server.stop().then(() => undefined),
  };
}
