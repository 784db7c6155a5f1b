import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../interfaces/config.js';
import { createConfigError } from './config-error.js';
import { parseConfig, type ConfigOptions } from './parse-config.js';

/**
 * Reads and validates a config file (see {@link parseConfig}). A relative `path` is resolved
 * against the working directory. A missing or unreadable file is a ConfigError that names the
 * absolute path. `options.env` is the environment to honour (`THV_DATA_DIR`, see
 * {@link ConfigOptions}); without it the result depends on the file alone.
 *
 * @example
 * ```ts
 * const config = await loadConfig('./config.yaml', { env: process.env });
 * ```
 */
export async function loadConfig(path: string, options: ConfigOptions = {}): Promise<Config> {
  const configPath = resolve(path);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    const message = `cannot read the file: ${describeReadError(error)}`;
    throw createConfigError(configPath, [{ path: '', message }], error);
  }
  return parseConfig(text, configPath, options);
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
