import { resolve } from 'node:path';
import { pino } from 'pino';
import type { StorageContext, StoredEntry } from '@thv/registry-core';

/** A storage context rooted at `configDir`, with a silent logger. */
export function storageContext(configDir: string): StorageContext {
  return {
    logger: pino({ level: 'silent' }),
    configDir,
    dataDir: resolve(configDir, 'data'),
    resolvePath: (path) => resolve(configDir, path),
  };
}

/** A stored entry for server `name`. */
export function entry(name: string, version = '1.0.0'): StoredEntry {
  const time = '2025-01-01T00:00:00.000Z';
  return {
    server: { name, version, description: `${name} server` },
    status: 'active',
    publishedAt: time,
    updatedAt: time,
    statusChangedAt: time,
    contentHash: `hash-${name}-${version}`,
  };
}

/** A sync status attempted at `lastAttempt`. */
export { syncStatus as status } from '@thv/registry-core/testing';
