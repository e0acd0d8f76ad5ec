/** `defineConfig`: types a configuration module (`conformance.config.mjs` or `.ts`); it returns its argument as it is. */
import type { ConfigOptions } from '../job/options.js';

export function defineConfig(config: ConfigOptions): ConfigOptions {
  return config;
}
