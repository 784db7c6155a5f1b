import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  StorageError,
  type Logger,
  type Storage,
  type StoredEntry,
  type StoredRegistry,
  type SyncStatus,
} from '@thv/registry-core';
import { ensureDirectory } from './atomic-write.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { KeyedQueue } from './keyed-queue.js';
import { laterStatus } from './later-status.js';
import { LeaseTable } from './lease-table.js';
import { decodeSnapshot, decodeStatus, encodeSnapshot, encodeStatus } from './records.js';
import { registryDirName } from './registry-dir.js';
import { removeStaleTempFiles } from './temp-files.js';

const SNAPSHOT_FILE = 'snapshot.json';
const STATUS_FILE = 'status.json';

/**
 * Storage in JSON files on local disk, one directory per registry under `<root>/registries/`.
 * Every write is atomic. Leases live in process memory: fs storage serves a single replica.
 */
export class FsStorage implements Storage {
  readonly #registriesDir: string;
  readonly #logger: Logger;
  readonly #leases = new LeaseTable();
  readonly #writes = new KeyedQueue();

  /** @param root the storage directory (absolute) */
  constructor(root: string, logger: Logger) {
    this.#registriesDir = join(root, 'registries');
    this.#logger = logger;
  }

  /** Creates the directories and removes temp files left by a killed process. */
  async open(): Promise<void> {
    try {
      await ensureDirectory(this.#registriesDir);
      const registries = await readdir(this.#registriesDir, { withFileTypes: true });
      for (const entry of registries) {
        if (!entry.isDirectory()) continue;
        const removed = await removeStaleTempFiles(join(this.#registriesDir, entry.name));
        if (removed.length > 0) this.#logger.debug({ dir: entry.name, count: removed.length }, 'removed stale temp files');
      }
    } catch (err) {
      throw new StorageError(`could not open storage ${this.#registriesDir}: ${(err as Error).message}`, { cause: err });
    }
    this.#logger.debug({ path: this.#registriesDir }, 'fs storage open');
  }

  /** Waits for pending writes and drops the leases. */
  async close(): Promise<void> {
    await this.#writes.idle();
    this.#leases.clear();
  }

  /** The last committed entries and the newest saved status; absent fields when nothing was saved. */
  async load(registry: string): Promise<StoredRegistry> {
    const dir = this.#registryDir(registry);
    const snapshotPath = join(dir, SNAPSHOT_FILE);
    const statusPath = join(dir, STATUS_FILE);
    const snapshotValue = await readJsonFile(snapshotPath);
    const snapshot = snapshotValue === undefined ? undefined : decodeSnapshot(snapshotValue, snapshotPath);
    const statusFile = await this.#readStatusFile(registry, statusPath);
    const status = laterStatus(statusFile, snapshot?.status);
    this.#logger.debug({ registry, count: snapshot?.entries.length }, 'loaded registry');
    return {
      ...(snapshot !== undefined && { entries: snapshot.entries }),
      ...(status !== undefined && { status }),
    };
  }

  /**
   * `status.json`, or undefined when it is missing or unreadable: the snapshot carries the status of
   * its commit, so a damaged status file must not keep good data from being served.
   */
  async #readStatusFile(registry: string, statusPath: string): Promise<SyncStatus | undefined> {
    try {
      const value = await readJsonFile(statusPath);
      return value === undefined ? undefined : decodeStatus(value, statusPath);
    } catch (error) {
      this.#logger.warn({ registry, err: error }, 'status file unreadable; using the status stored with the snapshot');
      return undefined;
    }
  }

  /** Writes the snapshot (status inside), then `status.json`; each rename is atomic. */
  commit(registry: string, entries: readonly StoredEntry[], status: SyncStatus): Promise<void> {
    const dir = this.#registryDir(registry);
    return this.#writes.run(registry, async () => {
      await this.#ensureRegistryDir(dir);
      await writeJsonFile(join(dir, SNAPSHOT_FILE), encodeSnapshot(entries, status));
      await writeJsonFile(join(dir, STATUS_FILE), encodeStatus(status));
      this.#logger.debug({ registry, count: entries.length }, 'committed snapshot');
    });
  }

  /** Writes `status.json` only. */
  saveStatus(registry: string, status: SyncStatus): Promise<void> {
    const dir = this.#registryDir(registry);
    return this.#writes.run(registry, async () => {
      await this.#ensureRegistryDir(dir);
      await writeJsonFile(join(dir, STATUS_FILE), encodeStatus(status));
    });
  }

  /** Process-local lease: exclusive within this process only. */
  async tryLease(registry: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.#leases.tryLease(registry, holder, ttlMs);
  }

  /** Gives up the lease when `holder` holds it. */
  async releaseLease(registry: string, holder: string): Promise<void> {
    this.#leases.release(registry, holder);
  }

  /** No other replica writes this directory, so there is nothing to watch. */
  watch(): () => void {
    return () => {};
  }

  #registryDir(registry: string): string {
    return join(this.#registriesDir, registryDirName(registry));
  }

  async #ensureRegistryDir(dir: string): Promise<void> {
    try {
      await ensureDirectory(dir);
    } catch (err) {
      throw new StorageError(`could not create ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}
