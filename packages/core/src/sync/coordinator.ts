import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.js';
import { isStorageUnavailable } from '../errors.js';
import { raceAbort } from '../source-kit/race-abort.js';
import { compileFilter, filterHash } from '../filter/filter.js';
import type { RegistryConfig } from '../interfaces/config.js';
import type { Logger } from '../interfaces/logger.js';
import type { SkippedEntry, StoredEntry } from '../interfaces/model.js';
import type { SourceData, SourceHandler } from '../interfaces/source.js';
import type { SyncStatus } from '../interfaces/status.js';
import type { Storage } from '../interfaces/storage.js';
import { gatherEntries } from './collect.js';
import { FailureLog } from '../util/failure-log.js';
import { backoff, CHANGE_SYNC_DELAY_MS, INITIAL_BACKOFF_MS, jittered, leaseTtl, storageRetryDelay } from './schedule.js';
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

/** A registry whose sync is failing, as `/readiness` and the status route report it. */
export interface SyncProblem {
  registry: string;
  /** Why the last attempt failed. */
  message: string;
  consecutiveFailures: number;
  /** RFC 3339: the last successful sync, if any. */
  lastSuccess?: string;
  /** RFC 3339: when this process tries again. */
  nextAttempt?: string;
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
  /** RFC 3339: when the next scheduled sync starts. */
  nextAttempt: string | undefined;
  /** Syncs in a row that failed because storage could not be reached. */
  readonly storageFailures: FailureLog;
  /** Status saves in a row that failed (a full disk, storage away): logged without a flood. */
  readonly statusSaves: FailureLog;
  /** Stops the source's change notices, for a source that gives them. */
  unwatchSource: (() => void) | undefined;
  /** A change notice came during the sync in flight: one more sync follows it. */
  changeQueued: boolean;
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
        nextAttempt: undefined,
        storageFailures: new FailureLog(options.logger.child({ registry: config.name }), {
          failing: 'sync cannot reach storage; retrying',
          recovered: 'sync reaches storage again',
        }),
        statusSaves: new FailureLog(options.logger.child({ registry: config.name }), {
          failing: 'sync status could not be saved',
          recovered: 'sync status saved again',
        }),
        unwatchSource: undefined,
        changeQueued: false,
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

  /**
   * Syncs every registry now, then on schedule, and soon after a source says it changed; follows
   * storage change notices.
   */
  start(): void {
    try {
      this.#unwatch = this.#options.storage.watch((registry) => void this.#reload(registry));
    } catch (error) {
      // Syncing and serving do not depend on it: other replicas' commits show after this one's next sync.
      this.#options.logger.error({ err: error }, 'storage change notices are unavailable; syncing on schedule only');
    }
    for (const state of this.#states.values()) {
      this.#watchSource(state);
      this.#schedule(state, 0);
    }
  }

  /**
   * One sync of a registry now; joins the running one if a sync is in flight. Never rejects: a
   * failure of the source or of storage is a `failed` outcome.
   */
  syncNow(registry: string): Promise<SyncOutcome> {
    const state = this.#state(registry);
    state.running ??= this.#sync(state)
      .catch((error: unknown): SyncOutcome => {
        const err = error instanceof Error ? error : new Error(String(error));
        this.#options.logger.error({ registry, err }, 'sync failed unexpectedly; serving the last good data');
        return { registry, result: 'failed', error: err };
      })
      .finally(() => {
        state.running = undefined;
      });
    return state.running;
  }

  /** The last known status of a registry. */
  status(registry: string): SyncStatus | undefined {
    return this.#state(registry).status;
  }

  /** RFC 3339: when this process next syncs a registry, if scheduled. */
  nextAttempt(registry: string): string | undefined {
    return this.#state(registry).nextAttempt;
  }

  /** Ready once every registry has data (committed earlier or synced now). */
  readiness(): Readiness {
    const notReady = [...this.#states.keys()].filter((name) => !this.#options.catalog.hasData(name));
    return { ready: notReady.length === 0, notReady };
  }

  /** The registries whose last sync failed, and why: their last good data is being served. */
  problems(): SyncProblem[] {
    const problems: SyncProblem[] = [];
    for (const [registry, state] of this.#states) {
      const status = state.status;
      if (status?.phase !== 'Failed' || status.consecutiveFailures === 0) continue;
      problems.push({
        registry,
        message: status.message ?? 'sync failed',
        consecutiveFailures: status.consecutiveFailures,
        ...withDefined({ lastSuccess: status.lastSuccess, nextAttempt: state.nextAttempt }),
      });
    }
    return problems;
  }

  /** Stops scheduling, aborts syncs in flight (nothing half-done is committed) and releases leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unwatch?.();
    for (const state of this.#states.values()) {
      state.unwatchSource?.();
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
        await this.#saveStatus(state, state.status);
      }
      logger.info({ registry, count: stored.entries?.length ?? 0 }, 'stored snapshot loaded');
    } catch (error) {
      // While storage is away and already reported, each retry's failure to load is detail.
      const level = isStorageUnavailable(error) && state.storageFailures.failures > 0 ? 'debug' : 'error';
      logger[level]({ registry, err: error }, 'stored snapshot could not be loaded; it will be replaced by the next sync');
    }
  }

  async #reload(registry: string): Promise<void> {
    const state = this.#states.get(registry);
    if (state === undefined || this.#stopped) return;
    this.#options.logger.debug({ registry }, 'storage changed; reloading');
    await this.#loadOne(state);
  }

  #watchSource(state: RegistryState): void {
    const { source, config } = state;
    if (source.watch === undefined) return;
    try {
      state.unwatchSource = source.watch(() => this.#sourceChanged(state));
    } catch (error) {
      this.#options.logger.error({ registry: config.name, err: error }, 'source change notices are unavailable; syncing on schedule only');
    }
  }

  /**
   * A source's change notice: a sync within {@link CHANGE_SYNC_DELAY_MS} (a burst of notices makes
   * one), or, during a sync, one more right after it, which sees what the running one missed.
   */
  #sourceChanged(state: RegistryState): void {
    if (this.#stopped) return;
    if (state.running !== undefined) {
      if (state.changeQueued) return;
      state.changeQueued = true;
      void state.running.then(() => {
        state.changeQueued = false;
        this.#sourceChanged(state);
      });
      return;
    }
    const soon = Date.now() + CHANGE_SYNC_DELAY_MS;
    if (state.nextAttempt !== undefined && Date.parse(state.nextAttempt) <= soon) return;
    this.#schedule(state, CHANGE_SYNC_DELAY_MS);
  }

  #schedule(state: RegistryState, delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(state.timer);
    state.nextAttempt = new Date(Date.now() + delayMs).toISOString();
    state.timer = setTimeout(() => void this.#runScheduled(state), delayMs);
    state.timer.unref();
  }

  /** A timer's sync: never rejects, and always schedules the next one. */
  async #runScheduled(state: RegistryState): Promise<void> {
    state.nextAttempt = undefined;
    // A registry whose snapshot could not be loaded (storage was away) tries again before syncing,
    // since another replica may hold the lease and be the one that syncs it.
    if (!this.#options.catalog.hasData(state.config.name)) await this.#loadOne(state);
    const outcome = await this.syncNow(state.config.name);
    this.#schedule(state, this.#nextDelay(state, outcome));
  }

  /**
   * After a success or a skip: the interval (±10 %). After a failure: the source's backoff, or a
   * retry within seconds when storage could not be reached, so that a database that comes back is
   * used at once.
   */
  #nextDelay(state: RegistryState, outcome: SyncOutcome): number {
    const { intervalMs } = state.config.syncPolicy;
    if (outcome.result === 'failed' && isStorageUnavailable(outcome.error)) {
      state.storageFailures.failed(outcome.error);
      return storageRetryDelay(state.storageFailures.failures);
    }
    state.storageFailures.succeeded();
    if (outcome.result !== 'failed') return jittered(intervalMs);
    const failures = outcome.status?.consecutiveFailures ?? 1;
    return backoff(failures, intervalMs, this.#options.initialBackoffMs ?? INITIAL_BACKOFF_MS);
  }

  async #sync(state: RegistryState): Promise<SyncOutcome> {
    const { storage, logger } = this.#options;
    const registry = state.config.name;
    const ttl = leaseTtl(state.config.syncPolicy.intervalMs);
    try {
      if (!(await storage.tryLease(registry, this.#holder, ttl))) {
        logger.debug({ registry }, 'another process holds the sync lease; skipping');
        return { registry, result: 'skipped' };
      }
    } catch (error) {
      // Storage is away: nothing was attempted, so the status is left as it is; storage health and
      // the failure log say what is wrong.
      return { registry, result: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
    }
    const previous = state.status ?? initialStatus();
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const controller = new AbortController();
    state.abort = controller;
    const { timeout, timeoutMs } = state.config.syncPolicy;
    const deadline = setTimeout(() => controller.abort(new Error(`the sync did not finish within ${timeout}; abandoned`)), timeoutMs);
    // A long sync keeps its lease: renewed a few times per lifetime, so no other replica starts one.
    const renewal = setInterval(() => void this.#renewLease(registry, ttl), ttl / 3);
    renewal.unref();
    await this.#setStatus(state, { ...previous, phase: 'Syncing', lastAttempt: startedAt });
    try {
      // A source that ignores the signal is not waited for once the sync is aborted.
      const fetched = await raceAbort(
        state.source.fetch({
          signal: controller.signal,
          allowUnchanged: state.prior !== undefined && previous.filterHash === state.filterHash,
          ...(previous.fingerprint === undefined && previous.sourceState === undefined
            ? {}
            : { previous: withDefined({ fingerprint: previous.fingerprint, state: previous.sourceState }) }),
        }),
        controller.signal,
      );
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
      const abandoned = controller.signal.aborted && !this.#stopped;
      return await this.#fail(state, previous, startedAt, abandoned ? controller.signal.reason : error, this.#stopped);
    } finally {
      clearTimeout(deadline);
      clearInterval(renewal);
      state.abort = undefined;
    }
  }

  async #renewLease(registry: string, ttl: number): Promise<void> {
    try {
      await this.#options.storage.tryLease(registry, this.#holder, ttl);
    } catch (error) {
      this.#options.logger.debug({ registry, err: error }, 'could not renew the sync lease');
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

  async #fail(state: RegistryState, previous: SyncStatus, startedAt: string, error: unknown, shutdown: boolean): Promise<SyncOutcome> {
    const registry = state.config.name;
    const err = error instanceof Error ? error : new Error(String(error));
    if (shutdown) {
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
    // Storage that cannot be reached is retried every few seconds and logged by #nextDelay.
    const level = isStorageUnavailable(err) ? 'debug' : 'warn';
    this.#options.logger[level]({ registry, err, failures: status.consecutiveFailures }, 'sync failed; serving the last good data');
    return { registry, result: 'failed', status, error: err };
  }

  async #setStatus(state: RegistryState, status: SyncStatus): Promise<void> {
    state.status = status;
    await this.#saveStatus(state, status);
  }

  /** Saves a status; a failure is logged (once, not at every attempt) and otherwise ignored. */
  async #saveStatus(state: RegistryState, status: SyncStatus): Promise<void> {
    try {
      await this.#options.storage.saveStatus(state.config.name, status);
      state.statusSaves.succeeded();
    } catch (error) {
      state.statusSaves.failed(error);
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
