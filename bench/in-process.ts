/**
 * Section `in-process`: what testing a handler in process costs. A full default run (every suite, the 169 events of
 * the four bundled webhook specs, with the observer) through `runConformance` against the compliant reference
 * receiver's request handler, (a) behind a URL (served by this process, as a user's test would start it) and
 * (b) as an in-process target (served by the tool for the run); then, for reference, (c) the Hono example as a fetch
 * handler in process and (d) the compiled receiver behind a URL in a separate process (what `full-run` measures). The
 * runs of (a) and (b) alternate, after an untimed warm-up of each, and the medians are compared.
 *
 * Goal (issue: use it from your own tests): an in-process run costs at most 1.2x a run of the same handler behind a
 * URL. BENCH_SCALE below 1 runs that share of the events.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReferenceReceiver } from '../cli/demo.js';
import { createZoomHonoApp } from '../examples/frameworks/hono.js';
import { createZoomRequestHandler } from '../examples/receivers/compliant.js';
import { runConformance, type ConformanceOptions } from '../index.js';
import { loadBundledSpec, WEBHOOK_SYSTEMS } from '../specs/catalog.js';
import { median, num, percent, spread, table } from './report.js';
import type { Goal, SectionOptions, SectionResult } from './section.js';

export const name = 'in-process';
export const title = 'In process: a handler tested in process against the same handler behind a URL';

/** The longest an in-process run may take, as a multiple of the same handler behind a URL. */
export const GOAL_RATIO = 1.2;

export interface InProcessData {
  events: number;
  behindUrl: number[];
  inProcess: number[];
  fetchHandler: number[];
  separateProcess: number[];
  medianBehindUrlMs: number;
  medianInProcessMs: number;
  medianFetchHandlerMs: number;
  medianSeparateProcessMs: number;
  /** median in process / median behind a URL */
  ratio: number;
  deliveries: number;
  failures: number;
}

interface Timed {
  ms: number;
  deliveries: number;
  failures: number;
}

export async function run(options: SectionOptions): Promise<SectionResult<InProcessData>> {
  const all = WEBHOOK_SYSTEMS.flatMap((system) => loadBundledSpec(system).events.map((event) => event.name));
  const events = options.scale >= 1 ? all : all.filter((_, index) => index % Math.max(1, Math.round(1 / options.scale)) === 0);
  const secret = randomBytes(18).toString('base64url');
  const base: Omit<ConformanceOptions, 'target'> = { secret, seed: 1500, ...(events.length < all.length ? { events } : {}) };
  let failures = 0;
  let deliveries = 0;
  const timed = async (options: ConformanceOptions): Promise<Timed> => {
    const start = performance.now();
    const report = await runConformance(options);
    const ms = performance.now() - start;
    failures += report.summary.total.fail;
    deliveries = report.summary.deliveries;
    return { ms, deliveries: report.summary.deliveries, failures: report.summary.total.fail };
  };
  // (a) The handler behind a URL this process serves, a fresh receiver (an empty memory) for every run, as for (b).
  const behindUrl = async () => {
    const server = http.createServer(createZoomRequestHandler({ secretToken: secret }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      return await timed({ ...base, target: `${origin}/zoom/webhook`, observe: `${origin}/zoom/observe` });
    } finally {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
    }
  };
  const inProcess = () => timed({ ...base, target: createZoomRequestHandler({ secretToken: secret }), path: '/zoom/webhook', observe: '/zoom/observe' });
  const fetchHandler = () => timed({ ...base, target: createZoomHonoApp({ secretToken: secret, observer: true }).fetch, path: '/zoom/webhook', observe: '/zoom/observe' });

  await behindUrl();
  await inProcess();
  options.log?.('in-process: warmed up');
  const data = { behindUrl: [] as number[], inProcess: [] as number[], fetchHandler: [] as number[], separateProcess: [] as number[] };
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    // Alternating which goes first: neither always runs on a machine the other just warmed or loaded.
    const pair = repeat % 2 === 0 ? [behindUrl, inProcess] : [inProcess, behindUrl];
    const [first, second] = [await pair[0]!(), await pair[1]!()];
    const [url, local] = repeat % 2 === 0 ? [first, second] : [second, first];
    data.behindUrl.push(url.ms);
    data.inProcess.push(local.ms);
    data.fetchHandler.push((await fetchHandler()).ms);
    options.log?.(`in-process: repeat ${repeat + 1}: behind a URL ${Math.round(url.ms)} ms, in process ${Math.round(local.ms)} ms`);
  }
  const receiver = await startReferenceReceiver(secret);
  try {
    for (let repeat = 0; repeat < options.repeats; repeat++) data.separateProcess.push((await timed({ ...base, target: receiver.url, observe: receiver.observeUrl })).ms);
  } finally {
    await receiver.stop();
  }
  const medians = {
    behindUrl: median(data.behindUrl),
    inProcess: median(data.inProcess),
    fetchHandler: median(data.fetchHandler),
    separateProcess: median(data.separateProcess),
  };
  const ratio = medians.inProcess / medians.behindUrl;
  const row = (label: string, runs: number[], value: number) => [label, `${num(value / 1000, 2)} s`, percent(spread(runs)), `${num(value / medians.behindUrl, 2)}x`];
  const lines = [
    ...table(
      ['run', 'median', 'spread', 'vs behind a URL'],
      [
        row('(a) request handler behind a URL (this process)', data.behindUrl, medians.behindUrl),
        row('(b) the same handler in process', data.inProcess, medians.inProcess),
        row('(c) the Hono example, a fetch handler in process', data.fetchHandler, medians.fetchHandler),
        row('(d) the compiled receiver behind a URL (a separate process)', data.separateProcess, medians.separateProcess),
      ],
    ),
    '',
    `${events.length} events, ${num(deliveries)} deliveries a run, ${options.repeats} repeats; in process / behind a URL: ${num(ratio, 2)}x`,
    'In (a) to (c) the receiver shares the event loop of the run; in (d) it has a process (and a core) of its own.',
  ];
  const goals: Goal[] = [
    { description: `an in-process run costs at most ${GOAL_RATIO}x a run of the same handler behind a URL (measured ${num(ratio, 2)}x)`, met: ratio <= GOAL_RATIO },
    { description: 'the compliant handler passes every check in every run', met: failures === 0 },
  ];
  return {
    name,
    title,
    lines,
    goals,
    data: {
      events: events.length,
      ...data,
      medianBehindUrlMs: medians.behindUrl,
      medianInProcessMs: medians.inProcess,
      medianFetchHandlerMs: medians.fetchHandler,
      medianSeparateProcessMs: medians.separateProcess,
      ratio,
      deliveries,
      failures,
    },
  };
}
