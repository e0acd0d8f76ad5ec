/**
 * Running a reference receiver from the command line: arguments, the secret from the environment, the one
 * "listening" line on stdout, and a clean stop on SIGTERM/SIGINT. Usage errors are one line on stderr, exit 2.
 */
import { realpathSync } from 'node:fs';
import type http from 'node:http';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const SECRET_ENV = 'ZOOM_WEBHOOK_SECRET_TOKEN';

/** True when the module with this `import.meta.url` is the script node was started with (not an import). */
export function isMainModule(importMetaUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return importMetaUrl === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/** Prints one line to stderr and exits with code 2 (usage or configuration error). */
export function usageError(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

export interface ListenArguments {
  port: number;
  host: string;
}

/** `--port N` (default 0: any free port) and `--host H` (default 127.0.0.1), plus any extra options asked for. */
export function parseListenArguments(
  argv: string[],
  extra: Record<string, { type: 'string' | 'boolean' }> = {},
): ListenArguments & { values: Record<string, string | boolean | undefined> } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' }, ...extra },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    usageError((error as Error).message);
  }
  const portText = typeof values.port === 'string' ? values.port : '0';
  const port = Number(portText);
  if (!/^[0-9]+$/.test(portText) || port > 65535) usageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(portText)}`);
  const host = typeof values.host === 'string' && values.host !== '' ? values.host : '127.0.0.1';
  return { port, host, values };
}

/** The secret token from the environment; a missing one is a usage error. The value is never printed. */
export function readSecretToken(): string {
  const secret = process.env[SECRET_ENV];
  if (!secret) usageError(`${SECRET_ENV} is not set: export the app's Secret Token in it`);
  return secret;
}

/**
 * Listens, then prints exactly one line to stdout:
 * `<label> listening on http://<host>:<port>/zoom/webhook (observer: http://<host>:<port>/zoom/observe)`.
 */
export function listenAndAnnounce(
  server: http.Server,
  options: { port: number; host: string; label: string; path?: string; observePath?: string },
): void {
  server.once('error', (error: NodeJS.ErrnoException) => usageError(`cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`));
  server.listen(options.port, options.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const base = `http://${host}:${port}`;
    process.stdout.write(
      `${options.label} listening on ${base}${options.path ?? '/zoom/webhook'} (observer: ${base}${options.observePath ?? '/zoom/observe'})\n`,
    );
  });
}

/** On SIGTERM or SIGINT: stop accepting connections, let requests in progress finish, and let the process end. */
export function stopOnSignals(server: http.Server, graceMs = 5000): void {
  const stop = () => {
    server.close();
    // Requests still running after the grace period are cut off.
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
