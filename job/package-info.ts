import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { name: string; version: string } | undefined;

/** This package's name and version, read from its package.json (works from source and from dist). */
export function packageInfo(): { name: string; version: string } {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'zoom-conformance') return (cached = { name: manifest.name, version: manifest.version ?? '0.0.0' });
    } catch {
      // not here; keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (cached = { name: 'zoom-conformance', version: '0.0.0' });
    dir = parent;
  }
}
