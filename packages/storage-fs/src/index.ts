import { defineStoragePlugin, type StorageContext } from '@thv/registry-core';
import { configSchema, type FsStorageConfig } from './config-schema.js';
import { FsStorage } from './fs-storage.js';

export { configSchema, type FsStorageConfig } from './config-schema.js';
export { FsStorage } from './fs-storage.js';

/** Builds the storage for a validated block; the default directory is the data directory. */
function createFsStorage(config: FsStorageConfig, ctx: StorageContext): FsStorage {
  const root = config.path === undefined ? ctx.dataDir : ctx.resolvePath(config.path);
  return new FsStorage(root, ctx.logger);
}

/** The `fs` storage plugin: atomic JSON snapshots on local disk, for a single replica. */
export default defineStoragePlugin<typeof configSchema, FsStorageConfig>({
  type: 'fs',
  configSchema,
  create: createFsStorage,
});
