import http from 'node:http';
import { runConformance } from '/work/i15/index.js';
import { createZoomRequestHandler } from '/work/i15/examples/receivers/compliant.js';
const secret = 'bench-secret';
async function once(options: any) {
  const t = performance.now();
  await runConformance({ secret, seed: 5, ...options });
  return performance.now() - t;
}
async function urlRun() {
  const server = http.createServer(createZoomRequestHandler({ secretToken: secret }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as any).port}/zoom/webhook`;
  const ms = await once({ target: url, observe: url.replace('webhook', 'observe') });
  await new Promise((r) => { server.close(r); server.closeAllConnections(); });
  return ms;
}
const inproc = () => once({ target: createZoomRequestHandler({ secretToken: secret }), path: '/zoom/webhook', observe: '/zoom/observe' });
await urlRun(); await inproc();
const a: number[] = [], b: number[] = [];
for (let i = 0; i < 4; i++) {
  if (i % 2) { a.push(await inproc()); b.push(await urlRun()); } else { b.push(await urlRun()); a.push(await inproc()); }
}
const med = (x: number[]) => x.sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
console.log('in-process', a.map(Math.round), 'url', b.map(Math.round), 'ratio', (med(a) / med(b)).toFixed(2));
