import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  StorageError,
  type Logger,
  type Storage,
  type StorageHealth,
  type StoredEntry,
  type StoredRegistry,
  type SyncStatus,
} from '@thv/registry-core';
import { ensureDirectory, FileWriteError, writeFilesAtomic } from './atomic-write.js';
import { DiskHealth, diskProblem, type WriteKind } from './disk-health.js';
import { readJsonFile } from './json-file.js';
import { KeyedQueue } from './keyed-queue.js';
import { laterStatus } from './later-status.js';
import { LeaseTable } from './lease-table.js';
import { decodeSnapshot, decodeStatus, encodeSnapshot, encodeStatus } from './records.js';
import { registryDirName } from './registry-dir.js';
import { removeStaleTempFiles } from './temp-files.js';

const SNAPSHOT_FILE = 'snapshot.json';
const STATUS_FILE = 'status.json';

/** A file of a write, and what it holds (for messages). */
interface RegistryFile {
  path: string;
  data: string;
  /** `the snapshot`, `the sync status` */
  what: string;
}

/**
 * Storage in JSON files on local disk, one directory per registry under `<root>/registries/`.
 * Every write is atomic. Leases live in process memory: fs storage serves a single replica.
 */
export class FsStorage implements Storage {
  readonly #registriesDir: string;
  readonly #logger: Logger;
  readonly #leases = new LeaseTable();
  readonly #writes = new KeyedQueue();
  readonly #disk = new DiskHealth();

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

  /**
   * Writes the snapshot (status inside) and `status.json`: both go to temp files first and are
   * renamed only once both are on disk, each rename atomic. A commit that fails for want of space,
   * quota or permission therefore leaves both files as they were.
   */
  commit(registry: string, entries: readonly StoredEntry[], status: SyncStatus): Promise<void> {
    const dir = this.#registryDir(registry);
    return this.#writes.run(registry, async () => {
      await this.#write(registry, 'commit', dir, [
        { path: join(dir, SNAPSHOT_FILE), data: encodeSnapshot(entries, status), what: 'the snapshot' },
        { path: join(dir, STATUS_FILE), data: encodeStatus(status), what: 'the sync status' },
      ]);
      this.#logger.debug({ registry, count: entries.length }, 'committed snapshot');
    });
  }

  /** Writes `status.json` only. */
  saveStatus(registry: string, status: SyncStatus): Promise<void> {
    const dir = this.#registryDir(registry);
    return this.#writes.run(registry, () =>
      this.#write(registry, 'status', dir, [{ path: join(dir, STATUS_FILE), data: encodeStatus(status), what: 'the sync status' }]),
    );
  }

  /**
   * Unhealthy while a registry's last write failed because the disk refused it: full (`ENOSPC`),
   * over its quota (`EDQUOT`), read-only (`EROFS`) or not writable by this process (`EACCES`,
   * `EPERM`). The message is that write's error, e.g. `disk full: cannot write the snapshot of
   * registry "default" to /data/registries/default/snapshot.json`; with several failing registries,
   * the most recent one's, followed by `(and N more registries)`.
   *
   * A registry is healthy again after its next successful commit. A successful `saveStatus` is
   * enough only when no commit of it had failed: a small status may fit where the snapshot does
   * not. Other failures (corrupt files, I/O errors) do not change the health; the data already
   * stored stays in place in every case.
   */
  health(): StorageHealth {
    return this.#disk.health();
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

  /** Writes `files` into the registry's directory and tracks whether the disk accepts writes. */
  async #write(registry: string, kind: WriteKind, dir: string, files: readonly RegistryFile[]): Promise<void> {
    try {
      await this.#ensureRegistryDir(registry, dir);
      await writeFilesAtomic(files);
    } catch (err) {
      const error = err instanceof FileWriteError ? writeError(registry, files, err) : err;
      if (diskProblem(error) !== undefined && this.#disk.failed(registry, kind, (error as Error).message)) {
        this.#logger.warn({ registry }, `${(error as Error).message}; the data already stored is kept`);
      }
      throw error;
    }
    if (this.#disk.succeeded(registry, kind)) this.#logger.info({ registry }, `storage can write registry "${registry}" again`);
  }

  async #ensureRegistryDir(registry: string, dir: string): Promise<void> {
    try {
      await ensureDirectory(dir);
    } catch (err) {
      const problem = diskProblem(err);
      const message =
        problem === undefined
          ? `could not create ${dir}: ${(err as Error).message}`
          : `${problem}: cannot create the directory of registry "${registry}" at ${dir}`;
      throw new StorageError(message, { cause: err });
    }
  }
}

/**
 * The `StorageError` of a failed file write: plain words and the file for a disk that refuses
 * writes (`disk full: cannot write the snapshot of registry "default" to /data/…/snapshot.json`),
 * the system message otherwise.
 */
function writeError(registry: string, files: readonly RegistryFile[], err: FileWriteError): StorageError {
  const problem = diskProblem(err);
  const what = files.find((file) => file.path === err.path)?.what ?? 'a file';
  const message =
    problem === undefined
      ? `could not write ${err.path}: ${err.message}`
      : `${problem}: cannot write ${what} of registry "${registry}" to ${err.path}`;
  return new StorageError(message, { cause: err.cause });
}
