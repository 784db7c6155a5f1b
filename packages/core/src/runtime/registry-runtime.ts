import { Catalog } from '../catalog/catalog.js';
import type { Degradation, ReadinessReport, RegistrySummary } from '../http/options.js';
import type { Config } from '../interfaces/config.js';
import type { Logger } from '../interfaces/logger.js';
import type { DeployedServer, SourceHandler } from '../interfaces/source.js';
import type { Storage } from '../interfaces/storage.js';
import { createSource, createStorage, type PluginEnvironment } from '../plugins/instantiate.js';
import { SyncCoordinator } from '../sync/coordinator.js';
import { STORAGE_RETRY } from '../sync/schedule.js';
import { FailureLog } from '../util/failure-log.js';
import { retryUntil, type RetryPolicy } from './retry-until.js';

/** Options of {@link createRuntime} beyond the plugin environment. */
export interface RuntimeOptions extends PluginEnvironment {
  /** How `start()` retries opening storage (default: 500 ms doubling to 2 s). */
  storageRetry?: RetryPolicy;
}

/** Options of {@link RegistryRuntime.start}. */
export interface StartOptions {
  /**
   * Keep retrying when storage cannot be opened (default true). False: the first failure rejects
   * `start()`, for deployments that prefer to fail fast.
   */
  waitForStorage?: boolean;
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
    this.#retry = options.storageRetry ?? STORAGE_RETRY;
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
   * With `waitForStorage: false`, a first attempt that fails rejects instead, and nothing retries.
   */
  async start({ waitForStorage = true }: StartOptions = {}): Promise<void> {
    if (this.#starting !== undefined) return;
    if (!waitForStorage) {
      this.#starting = this.open();
      await this.#starting;
      this.coordinator.start();
      return;
    }
    let firstAttemptDone!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
    const failures = new FailureLog(this.#logger, { failing: 'storage unavailable; retrying', recovered: 'storage opened' });
    this.#starting = (async () => {
      const opened = await retryUntil(
        () => this.open().finally(firstAttemptDone),
        this.#stopping.signal,
        (error, retryInMs) => {
          this.#storageProblem = `storage unavailable: ${error instanceof Error ? error.message : String(error)}`;
          failures.failed(error, { retryInMs });
        },
        this.#retry,
      );
      if (!opened) return;
      failures.succeeded();
      this.coordinator.start();
    })();
    await firstAttempt;
  }

  /**
   * Ready once every registry has data (a committed snapshot or a sync). A ready server stays
   * ready while storage or a source fails: it serves its last good catalog, and `degraded` says
   * what is failing.
   */
  readiness(): ReadinessReport {
    const registries = this.coordinator.readiness();
    const degraded = this.degraded();
    if (registries.ready) return { ...registries, degraded };
    const storage = degraded.find((problem) => problem.component === 'storage');
    return { ...registries, ...(storage === undefined ? {} : { reason: storage.message }), degraded };
  }

  /** What is failing right now: storage that cannot be opened or reached, and failing syncs. */
  degraded(): Degradation[] {
    const health = this.#opened ? this.storage.health?.() : undefined;
    const storage = this.#storageProblem ?? (health?.healthy === false ? (health.message ?? 'storage is unhealthy') : undefined);
    const syncs = this.coordinator.problems().map((problem): Degradation => ({ component: 'sync', ...problem }));
    return storage === undefined ? syncs : [{ component: 'storage', message: storage }, ...syncs];
  }

  /** Each registry's source and sync status, for the status route. */
  summaries(): RegistrySummary[] {
    return this.config.registries.map((registry) => {
      const status = this.coordinator.status(registry.name);
      const source = this.sources.get(registry.name)?.describe() ?? registry.source.type;
      const nextAttempt = this.coordinator.nextAttempt(registry.name);
      return {
        name: registry.name,
        type: registry.source.type,
        source,
        ...(status === undefined ? {} : { status }),
        ...(nextAttempt === undefined ? {} : { nextAttempt }),
      };
    });
  }

  /**
   * The server instances the sources see running (`GET /api/v0/deployed`), each once however many
   * registries share its source; undefined when no source reports deployments.
   */
  deployed(): DeployedServer[] | undefined {
    const reporting = [...this.sources.values()].filter((source) => source.deployed !== undefined);
    if (reporting.length === 0) return undefined;
    const byPlace = new Map<string, DeployedServer>();
    for (const source of reporting) {
      for (const server of source.deployed?.() ?? []) byPlace.set(`${server.kind}/${server.namespace}/${server.name}`, server);
    }
    return [...byPlace.values()];
  }

  /** Stops opening and syncing (aborting syncs in flight), closes the sources, then the storage. */
  async close(): Promise<void> {
    this.#stopping.abort();
    await this.#starting?.catch(() => undefined);
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
