import type { Logger } from './logger.js';
import type { StoredEntry } from './model.js';
import type { SyncStatus } from './status.js';

/** What a storage plugin's `create` receives besides its own config block. */
export interface StorageContext {
  logger: Logger;
  /** Directory of the config file; relative paths in the block are relative to it. */
  configDir: string;
  /** Resolves a path from the config block against {@link configDir}. */
  resolvePath(path: string): string;
  /** The data directory of this deployment (`dataDir` in the config). */
  dataDir: string;
}

/** What storage holds for one registry. */
export interface StoredRegistry {
  /** The last committed entries; absent when nothing was ever committed. */
  entries?: StoredEntry[];
  /** The last saved status; absent when none was saved. */
  status?: SyncStatus;
}

/**
 * Durable storage of registry snapshots and their sync status. Storage is the truth the catalog is
 * rebuilt from: `commit` must be atomic (all of the snapshot and its status, or nothing).
 */
export interface Storage {
  /** Prepares the storage (directories, connections, migrations). */
  open(): Promise<void>;
  /** Releases everything; no call follows. */
  close(): Promise<void>;
  /** Reads what is stored for one registry. A corrupt record throws a `StorageError` naming it. */
  load(registry: string): Promise<StoredRegistry>;
  /** Atomically replaces a registry's entries and status. */
  commit(registry: string, entries: readonly StoredEntry[], status: SyncStatus): Promise<void>;
  /** Saves the status alone (a failed or unchanged sync). */
  saveStatus(registry: string, status: SyncStatus): Promise<void>;
  /**
   * Takes or renews the sync lease of a registry for `ttlMs`. True when `holder` holds it.
   * Guarantees one syncer per registry across replicas sharing the storage.
   */
  tryLease(registry: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives up a lease held by `holder` (no-op when it does not hold it). */
  releaseLease(registry: string, holder: string): Promise<void>;
  /**
   * Calls `onChange(registry)` when another process committed data for a registry.
   * Returns the function that stops watching. Storage without replicas returns a no-op.
   */
  watch(onChange: (registry: string) => void): () => void;
  /**
   * Optional: whether the storage can currently read and write (a database that went away is not
   * healthy). While it is not, `/readiness` and the status route list its message under `degraded`;
   * reads go on from memory. Called on every `/readiness`, so it must be cheap (no I/O). Without
   * it, storage counts as healthy.
   */
  health?(): StorageHealth;
  /** Optional: schema migrations, for storage with a schema (`migrate` commands; `open` applies pending ones). */
  readonly migrations?: StorageMigrations;
  /** Optional: prepares the least-privilege user the server connects as (`prime-db`). */
  readonly users?: StorageUsers;
}

/** See {@link Storage.health}. */
export interface StorageHealth {
  healthy: boolean;
  /** Why not, for logs and `/readiness` (never secrets). */
  message?: string;
}

/** One migration and whether it is applied. */
export interface MigrationInfo {
  version: number;
  name: string;
  applied: boolean;
  /** RFC 3339, when applied. */
  appliedAt?: string;
}

/** The schema's migrations: applied and pending. */
export interface MigrationStatus {
  /** Version of the last applied migration (0: none). */
  current: number;
  /** Version of the newest migration available. */
  latest: number;
  migrations: MigrationInfo[];
}

/** What a migration run did. */
export interface MigrationResult {
  from: number;
  to: number;
  /** Versions applied (up) or undone (down), in order. */
  versions: number[];
}

/** Schema migrations of a storage; they run as the migration user and work before `open`. */
export interface StorageMigrations {
  status(): Promise<MigrationStatus>;
  /** Applies every pending migration, atomically. */
  up(): Promise<MigrationResult>;
  /** Undoes the last `steps` migrations, atomically. */
  down(steps: number): Promise<MigrationResult>;
}

/** Creation of the user the server connects as. */
export interface StorageUsers {
  /**
   * Idempotently creates the server's role, the user with `password`, and grants the role.
   * Returns the statements (with the password masked). With `dryRun`, only returns them.
   */
  prepare(username: string, password: string, options: { dryRun: boolean }): Promise<string[]>;
}
