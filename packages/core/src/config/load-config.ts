import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../interfaces/config.js';
import { createConfigError } from './config-error.js';
import { parseConfig } from './parse-config.js';

/**
 * Reads and validates a config file (see {@link parseConfig}). A missing or unreadable file is a
 * ConfigError that names the absolute path.
 */
export async function loadConfig(path: string): Promise<Config> {
  const configPath = resolve(path);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    const message = `cannot read the file: ${describeReadError(error)}`;
    throw createConfigError(configPath, [{ path: '', message }], error);
  }
  return parseConfig(text, configPath);
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
