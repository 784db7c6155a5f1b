import { Catalog } from '../catalog/catalog.js';
import type { ReadinessReport, RegistrySummary } from '../http/options.js';
import type { Config } from '../interfaces/config.js';
import type { Logger } from '../interfaces/logger.js';
import type { SourceHandler } from '../interfaces/source.js';
import type { Storage } from '../interfaces/storage.js';
import { createSource, createStorage, type PluginEnvironment } from '../plugins/instantiate.js';
import { SyncCoordinator } from '../sync/coordinator.js';
import { retryUntil, type RetryPolicy } from './retry-until.js';

/** Options of {@link createRuntime} beyond the plugin environment. */
export interface RuntimeOptions extends PluginEnvironment {
  /** How `start()` retries opening storage (default: 1 s doubling to 30 s). */
  storageRetry?: RetryPolicy;
}

/**
 * Everything a running registry is made of, wired from one config: sources, storage, the catalog
 * and the sync coordinator.
 */
export class RegistryRuntime {
  readonly config: Config;
  readonly catalog: Catalog;
  readonly storage: Storage;
  readonly sources: ReadonlyMap<string, SourceHandler>;
  readonly coordinator: SyncCoordinator;
  readonly #logger: Logger;
  readonly #retry: RetryPolicy;
  readonly #stopping = new AbortController();
  #opened = false;
  #storageProblem: string | undefined = 'storage is not open yet';
  #starting: Promise<void> | undefined;

  constructor(config: Config, sources: ReadonlyMap<string, SourceHandler>, storage: Storage, options: RuntimeOptions) {
    this.config = config;
    this.sources = sources;
    this.storage = storage;
    this.#logger = options.logger;
    this.#retry = options.storageRetry ?? {};
    this.catalog = new Catalog(config.registries.map((registry) => registry.name));
    this.coordinator = new SyncCoordinator({
      registries: config.registries,
      sources,
      storage,
      catalog: this.catalog,
      logger: options.logger.child({ component: 'sync' }),
    });
  }

  /** Opens storage (which applies pending migrations) and loads the committed snapshots. Throws when storage cannot open. */
  async open(): Promise<void> {
    await this.storage.open();
    this.#opened = true;
    this.#storageProblem = undefined;
    await this.coordinator.loadStored();
  }

  /**
   * What `serve` does: open storage and load the committed snapshots, then sync on schedule. When
   * storage cannot open (a database that is down), it keeps retrying with backoff in the
   * background rather than failing, so that start-up is never a crash loop; `/readiness` says 503
   * meanwhile. Resolves after the first attempt, so a healthy start serves the snapshots at once.
   */
  async start(): Promise<void> {
    if (this.#starting !== undefined) return;
    let firstAttemptDone!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
    this.#starting = (async () => {
      const opened = await retryUntil(
        () => this.open().finally(firstAttemptDone),
        this.#stopping.signal,
        (error, retryInMs) => {
          this.#storageProblem = `storage unavailable: ${error instanceof Error ? error.message : String(error)}`;
          this.#logger.warn({ err: error, retryInMs }, 'storage unavailable; retrying');
        },
        this.#retry,
      );
      if (opened) this.coordinator.start();
    })();
    await firstAttempt;
  }

  /** Ready once storage is open and healthy and every registry has data. */
  readiness(): ReadinessReport {
    const health = this.#opened ? this.storage.health?.() : undefined;
    const problem = this.#storageProblem ?? (health?.healthy === false ? (health.message ?? 'storage is unhealthy') : undefined);
    const registries = this.coordinator.readiness();
    if (problem !== undefined) return { ready: false, notReady: registries.notReady, reason: problem };
    return registries;
  }

  /** Each registry's source and sync status, for the status route. */
  summaries(): RegistrySummary[] {
    return this.config.registries.map((registry) => {
      const status = this.coordinator.status(registry.name);
      const source = this.sources.get(registry.name)?.describe() ?? registry.source.type;
      return { name: registry.name, type: registry.source.type, source, ...(status === undefined ? {} : { status }) };
    });
  }

  /** Stops opening and syncing (aborting syncs in flight), closes the sources, then the storage. */
  async close(): Promise<void> {
    this.#stopping.abort();
    await this.#starting;
    await this.coordinator.stop();
    await Promise.allSettled([...this.sources.values()].map((source) => source.close?.()));
    if (this.#opened) await this.storage.close();
  }
}

/**
 * Loads every plugin the config names, sources first so that a bad source block fails before
 * storage is touched. Nothing is opened yet: call `open()` (one-off commands) or `start()` (serve).
 */
export async function createRuntime(config: Config, options: RuntimeOptions): Promise<RegistryRuntime> {
  const sources = new Map<string, SourceHandler>();
  for (const registry of config.registries) sources.set(registry.name, await createSource(config, registry, options));
  const storage = await createStorage(config, options);
  return new RegistryRuntime(config, sources, storage, options);
}
