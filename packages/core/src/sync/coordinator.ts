import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.js';
import { compileFilter, filterHash } from '../filter/filter.js';
import type { RegistryConfig } from '../interfaces/config.js';
import type { Logger } from '../interfaces/logger.js';
import type { SkippedEntry, StoredEntry } from '../interfaces/model.js';
import type { SourceData, SourceHandler } from '../interfaces/source.js';
import type { SyncStatus } from '../interfaces/status.js';
import type { Storage } from '../interfaces/storage.js';
import { gatherEntries } from './collect.js';
import { backoff, INITIAL_BACKOFF_MS, jittered } from './schedule.js';
import { buildSnapshot, priorEntries, type PriorEntries } from './snapshot.js';
import { initialStatus, recoverInterrupted, skippedFields, snapshotCounts } from './status.js';

/** What the coordinator drives. */
export interface SyncCoordinatorOptions {
  registries: readonly RegistryConfig[];
  /** One live source per registry name. */
  sources: ReadonlyMap<string, SourceHandler>;
  storage: Storage;
  catalog: Catalog;
  logger: Logger;
  /** Identity of this process for sync leases (default: hostname, pid and a random id). */
  holder?: string;
  /** First retry delay after a failure (default 5 s). */
  initialBackoffMs?: number;
}

/** How one sync attempt ended. */
export interface SyncOutcome {
  registry: string;
  /** `committed`: new data stored; `unchanged`: nothing new; `failed`: kept the last good data; `skipped`: another process holds the lease. */
  result: 'committed' | 'unchanged' | 'failed' | 'skipped';
  status?: SyncStatus;
  error?: Error;
}

/** Readiness of the registries: ready once every one has data. */
export interface Readiness {
  ready: boolean;
  notReady: string[];
}

interface RegistryState {
  readonly config: RegistryConfig;
  readonly source: SourceHandler;
  readonly filter: ReturnType<typeof compileFilter>;
  readonly filterHash: string;
  status: SyncStatus | undefined;
  /**
   * What the next sync carries over from the committed entries (timestamps, content hashes);
   * undefined until a snapshot was loaded or committed. The entries themselves live in storage and,
   * for serving, in the catalog.
   */
  prior: PriorEntries | undefined;
  running: Promise<SyncOutcome> | undefined;
  abort: AbortController | undefined;
  timer: NodeJS.Timeout | undefined;
}

const MAX_SKIP_WARNINGS = 20;

/**
 * Keeps every registry in sync (architecture §7): loads the committed snapshots first, syncs each
 * registry at start and then every interval (±10 %), backs off after failures, never runs two
 * syncs of one registry at once, and never lets a failure touch the last good data.
 */
export class SyncCoordinator {
  readonly #options: SyncCoordinatorOptions;
  readonly #states = new Map<string, RegistryState>();
  readonly #holder: string;
  #stopped = false;
  #unwatch: (() => void) | undefined;

  constructor(options: SyncCoordinatorOptions) {
    this.#options = options;
    this.#holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID()}`;
    for (const config of options.registries) {
      const source = options.sources.get(config.name);
      if (source === undefined) throw new Error(`no source was created for registry ${config.name}`);
      this.#states.set(config.name, {
        config,
        source,
        filter: compileFilter(config.filter),
        filterHash: filterHash(config.filter),
        status: undefined,
        prior: undefined,
        running: undefined,
        abort: undefined,
        timer: undefined,
      });
    }
  }

  /**
   * Loads every registry's committed snapshot into the catalog, so that reads are served before
   * the first sync ends. An unreadable snapshot is logged and left for the next sync to replace.
   */
  async loadStored(): Promise<void> {
    for (const state of this.#states.values()) await this.#loadOne(state);
  }

  /** Syncs every registry now, then on schedule; follows storage change notices. */
  start(): void {
    this.#unwatch = this.#options.storage.watch((registry) => void this.#reload(registry));
    for (const state of this.#states.values()) this.#schedule(state, 0);
  }

  /** One sync of a registry now; joins the running one if a sync is in flight. */
  syncNow(registry: string): Promise<SyncOutcome> {
    const state = this.#state(registry);
    state.running ??= this.#sync(state).finally(() => {
      state.running = undefined;
    });
    return state.running;
  }

  /** The last known status of a registry. */
  status(registry: string): SyncStatus | undefined {
    return this.#state(registry).status;
  }

  /** Ready once every registry has data (committed earlier or synced now). */
  readiness(): Readiness {
    const notReady = [...this.#states.keys()].filter((name) => !this.#options.catalog.hasData(name));
    return { ready: notReady.length === 0, notReady };
  }

  /** Stops scheduling, aborts syncs in flight (nothing half-done is committed) and releases leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unwatch?.();
    for (const state of this.#states.values()) {
      clearTimeout(state.timer);
      state.abort?.abort(new Error('shutting down'));
    }
    await Promise.allSettled([...this.#states.values()].map((state) => state.running));
    await Promise.allSettled(
      [...this.#states.keys()].map((registry) => this.#options.storage.releaseLease(registry, this.#holder)),
    );
  }

  #state(registry: string): RegistryState {
    const state = this.#states.get(registry);
    if (state === undefined) throw new Error(`unknown registry: ${registry}`);
    return state;
  }

  async #loadOne(state: RegistryState): Promise<void> {
    const { storage, catalog, logger } = this.#options;
    const registry = state.config.name;
    try {
      const stored = await storage.load(registry);
      if (stored.entries !== undefined) {
        state.prior = priorEntries(stored.entries);
        catalog.setRegistry(registry, stored.entries);
      }
      state.status = stored.status === undefined ? undefined : recoverInterrupted(stored.status);
      if (stored.status?.phase === 'Syncing' && state.status !== undefined) {
        logger.warn({ registry }, 'the previous sync was interrupted; serving the last committed data');
        await this.#saveStatus(registry, state.status);
      }
      logger.info({ registry, count: stored.entries?.length ?? 0 }, 'stored snapshot loaded');
    } catch (error) {
      logger.error({ registry, err: error }, 'stored snapshot could not be loaded; it will be replaced by the next sync');
    }
  }

  async #reload(registry: string): Promise<void> {
    const state = this.#states.get(registry);
    if (state === undefined || this.#stopped) return;
    this.#options.logger.debug({ registry }, 'storage changed; reloading');
    await this.#loadOne(state);
  }

  #schedule(state: RegistryState, delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => void this.#runScheduled(state), delayMs);
    state.timer.unref();
  }

  async #runScheduled(state: RegistryState): Promise<void> {
    const outcome = await this.syncNow(state.config.name);
    const { intervalMs } = state.config.syncPolicy;
    const failures = outcome.status?.consecutiveFailures ?? 0;
    const delay =
      outcome.result === 'failed'
        ? backoff(failures, intervalMs, this.#options.initialBackoffMs ?? INITIAL_BACKOFF_MS)
        : jittered(intervalMs);
    this.#schedule(state, delay);
  }

  async #sync(state: RegistryState): Promise<SyncOutcome> {
    const { storage, logger } = this.#options;
    const registry = state.config.name;
    const leaseTtl = Math.max(state.config.syncPolicy.intervalMs * 2, 60_000);
    if (!(await storage.tryLease(registry, this.#holder, leaseTtl))) {
      logger.debug({ registry }, 'another process holds the sync lease; skipping');
      return { registry, result: 'skipped' };
    }
    const previous = state.status ?? initialStatus();
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const controller = new AbortController();
    state.abort = controller;
    await this.#setStatus(state, { ...previous, phase: 'Syncing', lastAttempt: startedAt });
    try {
      const fetched = await state.source.fetch({
        signal: controller.signal,
        allowUnchanged: state.prior !== undefined && previous.filterHash === state.filterHash,
        ...(previous.fingerprint === undefined && previous.sourceState === undefined
          ? {}
          : { previous: withDefined({ fingerprint: previous.fingerprint, state: previous.sourceState }) }),
      });
      controller.signal.throwIfAborted();
      if (fetched.unchanged === true || this.#sameAsCommitted(state, previous, fetched)) {
        const status: SyncStatus = {
          ...previous,
          phase: 'Complete',
          message: 'source unchanged',
          lastAttempt: startedAt,
          lastSuccess: startedAt,
          consecutiveFailures: 0,
          ...withDefined({ sourceState: fetched.state ?? previous.sourceState }),
        };
        await this.#setStatus(state, status);
        logger.info({ registry, durationMs: elapsed(started) }, 'sync: source unchanged');
        return { registry, result: 'unchanged', status };
      }
      return await this.#commit(state, fetched, startedAt, started, controller.signal);
    } catch (error) {
      return await this.#fail(state, previous, startedAt, error, controller.signal.aborted);
    } finally {
      state.abort = undefined;
    }
  }

  /** A fetch that brought the committed content again, under the same filter, needs no commit. */
  #sameAsCommitted(state: RegistryState, previous: SyncStatus, data: SourceData): boolean {
    return state.prior !== undefined && data.fingerprint === previous.fingerprint && previous.filterHash === state.filterHash;
  }

  async #commit(state: RegistryState, data: SourceData, startedAt: string, started: number, signal: AbortSignal): Promise<SyncOutcome> {
    const { storage, catalog, logger } = this.#options;
    const registry = state.config.name;
    const gathered = gatherEntries(data, state.config.source.format, state.filter);
    const mode = data.mode ?? 'full';
    // A delta is applied to the committed entries, read back from storage (the durable truth);
    // a full snapshot only needs what the prior state carries.
    const previous = mode === 'delta' && state.prior !== undefined ? await this.#committedEntries(state) : state.prior;
    const built = buildSnapshot(gathered.kept, previous, startedAt, mode);
    const skipped = [...gathered.skipped, ...built.skipped];
    this.#warnSkipped(registry, skipped);
    const status: SyncStatus = {
      phase: 'Complete',
      message: `synced ${built.entries.length} versions (${gathered.filteredOut} filtered out, ${skipped.length} skipped)`,
      lastAttempt: startedAt,
      lastSuccess: startedAt,
      consecutiveFailures: 0,
      fingerprint: data.fingerprint,
      filterHash: state.filterHash,
      ...snapshotCounts(built.entries),
      ...skippedFields(skipped),
      ...withDefined({ sourceState: data.state }),
    };
    signal.throwIfAborted();
    await storage.commit(registry, built.entries, status);
    state.prior = priorEntries(built.entries);
    state.status = status;
    catalog.setRegistry(registry, built.entries);
    logger.info(
      { registry, count: built.entries.length, servers: status.serverCount, skipped: skipped.length, durationMs: elapsed(started) },
      'sync committed',
    );
    return { registry, result: 'committed', status };
  }

  /**
   * The committed entries a delta applies to. Storage without them (removed behind this process's
   * back) fails the sync and forgets the prior state, so that the next fetch reads the source in full.
   */
  async #committedEntries(state: RegistryState): Promise<readonly StoredEntry[]> {
    const { entries } = await this.#options.storage.load(state.config.name);
    if (entries === undefined) {
      state.prior = undefined;
      throw new Error('the committed snapshot is missing from storage; the next sync reads the source in full');
    }
    return entries;
  }

  async #fail(state: RegistryState, previous: SyncStatus, startedAt: string, error: unknown, aborted: boolean): Promise<SyncOutcome> {
    const registry = state.config.name;
    const err = error instanceof Error ? error : new Error(String(error));
    if (aborted) {
      // Shutdown: put back the status as it was; the stored snapshot was never touched.
      await this.#setStatus(state, previous);
      this.#options.logger.info({ registry }, 'sync aborted by shutdown');
      return { registry, result: 'failed', status: previous, error: err };
    }
    const status: SyncStatus = {
      ...previous,
      phase: 'Failed',
      message: err.message,
      lastAttempt: startedAt,
      consecutiveFailures: previous.consecutiveFailures + 1,
    };
    await this.#setStatus(state, status);
    this.#options.logger.warn({ registry, err, failures: status.consecutiveFailures }, 'sync failed; serving the last good data');
    return { registry, result: 'failed', status, error: err };
  }

  async #setStatus(state: RegistryState, status: SyncStatus): Promise<void> {
    state.status = status;
    await this.#saveStatus(state.config.name, status);
  }

  async #saveStatus(registry: string, status: SyncStatus): Promise<void> {
    try {
      await this.#options.storage.saveStatus(registry, status);
    } catch (error) {
      this.#options.logger.error({ registry, err: error }, 'sync status could not be saved');
    }
  }

  #warnSkipped(registry: string, skipped: readonly SkippedEntry[]): void {
    for (const entry of skipped.slice(0, MAX_SKIP_WARNINGS)) {
      this.#options.logger.warn({ registry, entry: entry.name, version: entry.version, reason: entry.reason }, 'entry skipped');
    }
    if (skipped.length > MAX_SKIP_WARNINGS) {
      this.#options.logger.warn({ registry, count: skipped.length - MAX_SKIP_WARNINGS }, 'more entries skipped');
    }
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** Drops undefined fields, which `exactOptionalPropertyTypes`-style JSON output should not carry. */
function withDefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
