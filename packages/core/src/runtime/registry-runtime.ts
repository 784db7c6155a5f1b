import { Catalog } from '../catalog/catalog.js';
import type { RegistrySummary } from '../http/options.js';
import type { Config } from '../interfaces/config.js';
import type { SourceHandler } from '../interfaces/source.js';
import type { Storage } from '../interfaces/storage.js';
import { createSource, createStorage, type PluginEnvironment } from '../plugins/instantiate.js';
import { SyncCoordinator } from '../sync/coordinator.js';

/** Everything a running registry is made of, wired from one config. */
export interface RegistryRuntime {
  readonly config: Config;
  readonly catalog: Catalog;
  readonly storage: Storage;
  readonly sources: ReadonlyMap<string, SourceHandler>;
  readonly coordinator: SyncCoordinator;
  /** Each registry's source and sync status, for the status route. */
  summaries(): RegistrySummary[];
  /** Stops syncing (aborting syncs in flight), closes the sources, then the storage. */
  close(): Promise<void>;
}

/**
 * Loads every plugin the config names (sources first, so that a bad source block fails before
 * storage is touched), opens storage and loads the committed snapshots into the catalog.
 * Syncing starts only with `coordinator.start()`.
 */
export async function createRuntime(config: Config, env: PluginEnvironment): Promise<RegistryRuntime> {
  const sources = new Map<string, SourceHandler>();
  for (const registry of config.registries) sources.set(registry.name, await createSource(config, registry, env));
  const storage = await createStorage(config, env);
  await storage.open();
  const catalog = new Catalog(config.registries.map((registry) => registry.name));
  const coordinator = new SyncCoordinator({
    registries: config.registries,
    sources,
    storage,
    catalog,
    logger: env.logger.child({ component: 'sync' }),
  });
  await coordinator.loadStored();
  return {
    config,
    catalog,
    storage,
    sources,
    coordinator,
    summaries() {
      return config.registries.map((registry) => {
        const status = coordinator.status(registry.name);
        const source = sources.get(registry.name)?.describe() ?? registry.source.type;
        return { name: registry.name, type: registry.source.type, source, ...(status === undefined ? {} : { status }) };
      });
    },
    async close() {
      await coordinator.stop();
      await Promise.allSettled([...sources.values()].map((source) => source.close?.()));
      await storage.close();
    },
  };
}
