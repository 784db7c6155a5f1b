import { posix } from 'node:path';
import { ConfigError } from '@thv/registry-core';

/**
 * Normalises the `path` field to a path inside the repository: `./registry.json`,
 * `/registry.json` and `registry.json` are the same file. A path leaving the repository is a
 * `ConfigError`.
 */
export function normalizeRepoPath(text: string): string {
  const path = posix.normalize(text).replace(/^\/+/, '').replace(/\/+$/, '');
  if (path === '' || path === '.' || path === '..' || path.startsWith('../')) {
    throw new ConfigError(`git source path "${text}" must name a file inside the repository`);
  }
  return path;
}
