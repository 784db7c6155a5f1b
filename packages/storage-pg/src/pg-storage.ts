import { randomUUID } from 'node:crypto';
import {
  isStorageUnavailable,
  StorageError,
  type DatabaseConfig,
  type Logger,
  type Storage,
  type StorageHealth,
  type StoredEntry,
  type StoredRegistry,
  type SyncStatus,
} from '@thv/registry-core';
import pg from 'pg';
import {
  MIGRATION_PASSWORD_ENV,
  PASSWORD_ENV,
  resolveMigrationPassword,
  resolvePassword,
  type Environment,
} from './credentials.js';
import { connectError, describeTarget, isConnectionError, queryError, type ConnectionTarget } from './database-errors.js';
import { ChangeListener, type ListenerTiming } from './listener.js';
import { PgMigrations } from './migrations.js';
import {
  clientConfig,
  listenerConfig,
  MIGRATION_APPLICATION_NAME,
  poolConfig,
  type PasswordProvider,
} from './pool-config.js';
import { ENTRY_COLUMNS, ENTRY_RECORDSET, entryFromRow, entryRecords, SERVER_DOCUMENTS, serverDocuments, statusFromColumn, statusToJson, type EntryRow } from './rows.js';
import { PgUsers } from './users.js';
import { endClient } from './end-client.js';

/** The channel commits are announced on; the payload is {@link ChangeNotice} as JSON. */
export const CHANGE_CHANNEL = 'thv_registry_changed';

/** The payload of a change notification. */
export interface ChangeNotice {
  registry: string;
  /** The storage instance that committed (its own notices are not reported to it). */
  origin: string;
}

/** Rows per statement when a commit writes entries. */
const WRITE_BATCH = 2000;

/** Tunables, mostly for tests. */
export interface PgStorageOptions {
  /** Identifies this instance in change notices; default: a random UUID. */
  instanceId?: string;
  /** Where `THV_DATABASE_PASSWORD` and `THV_DATABASE_MIGRATION_PASSWORD` are read; default `process.env`. */
  env?: Environment;
  /** Reconnection and heartbeat timing of the LISTEN connection. */
  listener?: ListenerTiming;
}

/**
 * Storage in PostgreSQL. `open` applies pending migrations as the migration user, then opens the
 * serving pool and a dedicated LISTEN connection as the serving user. Commits are one
 * transaction each and announce themselves with NOTIFY, so that other replicas reload; leases
 * are rows with an expiry, taken by one atomic upsert.
 */
export class PgStorage implements Storage {
  readonly migrations: PgMigrations;
  readonly users: PgUsers;
  readonly #config: DatabaseConfig;
  readonly #logger: Logger;
  readonly #env: Environment;
  readonly #instanceId: string;
  readonly #listenerTiming: ListenerTiming;
  readonly #target: ConnectionTarget;
  readonly #migrationTarget: ConnectionTarget;
  /** Every password read so far: scrubbed from messages (defence in depth). */
  readonly #secrets = new Set<string>();
  readonly #watchers = new Set<(registry: string) => void>();
  #pool: pg.Pool | undefined;
  #listener: ChangeListener | undefined;
  #opening: Promise<void> | undefined;
  /** Set by a query that failed for want of a connection; cleared by the next success. */
  #connectionProblem: string | undefined;

  constructor(config: DatabaseConfig, logger: Logger, options: PgStorageOptions = {}) {
    this.#config = config;
    this.#logger = logger;
    this.#env = options.env ?? process.env;
    this.#instanceId = options.instanceId ?? randomUUID();
    this.#listenerTiming = options.listener ?? {};
    this.#target = { host: config.host, port: config.port, user: config.user };
    this.#migrationTarget = { host: config.host, port: config.port, user: config.migrationUser };
    const connectMigrationUser = () => this.#connectMigrationUser();
    this.migrations = new PgMigrations(connectMigrationUser, logger);
    this.users = new PgUsers(connectMigrationUser, config.database);
  }

  /** This instance's id, as it appears in the `origin` of its change notices. */
  get instanceId(): string {
    return this.#instanceId;
  }

  /** `PostgreSQL db.example.com:5432/registry (user thv_user, sslMode require)`: no secrets. */
  describe(): string {
    const { host, port, database, user, sslMode } = this.#config;
    return `PostgreSQL ${host}:${port}/${database} (user ${user}, sslMode ${sslMode})`;
  }

  /**
   * Applies pending migrations (logged at info), then opens the serving pool, checks that the
   * serving user can connect, and starts the LISTEN connection. A failure leaves nothing open, so
   * `open` may be called again (serve retries while the database is down).
   */
  open(): Promise<void> {
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    const migrated = await this.migrations.up();
    if (migrated.versions.length > 0) {
      this.#logger.info(migrated, `database schema migrated from version ${migrated.from} to ${migrated.to}`);
    } else {
      this.#logger.debug({ version: migrated.from }, 'database schema up to date');
    }
    const pool = new pg.Pool(poolConfig(this.#config, this.#servingPassword()));
    pool.on('error', (error) => {
      // An idle connection went away (server restart, network); the pool replaces it on demand.
      this.#logger.debug({ reason: error.message }, 'idle PostgreSQL connection closed');
    });
    pool.on('connect', (client) => {
      // A connection lost while checked out also fails the statement in flight, which reports it;
      // the client's own error event must not become an uncaught exception.
      client.on('error', (error) => this.#logger.debug({ reason: error.message }, 'PostgreSQL connection lost'));
    });
    const listener = new ChangeListener({
      ...this.#listenerTiming,
      channel: CHANGE_CHANNEL,
      target: describeTarget(this.#target),
      logger: this.#logger,
      createClient: () => new pg.Client(listenerConfig(this.#config, this.#servingPassword())),
      onNotification: (payload) => this.#notified(payload),
      onReconnect: () => void this.#catchUp(),
    });
    try {
      const client = await pool.connect().catch((error: unknown) => {
        throw connectError(error, this.#target, this.#secrets);
      });
      client.release();
      await listener.start().catch((error: unknown) => {
        throw connectError(error, this.#target, this.#secrets);
      });
    } catch (error) {
      await listener.stop();
      await pool.end().catch(() => undefined);
      throw error;
    }
    this.#pool = pool;
    this.#listener = listener;
    this.#connectionProblem = undefined;
    this.#logger.debug({ target: this.describe() }, 'pg storage open');
  }

  /** Stops the listener and ends the pool (waiting for statements in flight). */
  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    await opening?.catch(() => undefined);
    const listener = this.#listener;
    const pool = this.#pool;
    this.#listener = undefined;
    this.#pool = undefined;
    await listener?.stop();
    await pool?.end();
  }

  /** The last committed entries (in name, version byte order) and the saved status. */
  async load(registry: string): Promise<StoredRegistry> {
    return this.#withClient(`loading registry "${registry}"`, async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const committed = await client.query<{ committed: boolean }>(
          'SELECT committed_at IS NOT NULL AS committed FROM registries WHERE name = $1',
          [registry],
        );
        const statusRow = await client.query<{ status: unknown }>('SELECT status FROM registry_sync_status WHERE registry = $1', [registry]);
        let entries: StoredEntry[] | undefined;
        if (committed.rows[0]?.committed === true) {
          const rows = await client.query<EntryRow>(
            `SELECT ${ENTRY_COLUMNS} FROM registry_entries WHERE registry = $1 ORDER BY name, version`,
            [registry],
          );
          entries = rows.rows.map((row) => entryFromRow(row, registry));
        }
        await client.query('COMMIT');
        const status = statusRow.rows[0] === undefined ? undefined : statusFromColumn(statusRow.rows[0].status, registry);
        this.#logger.debug({ registry, count: entries?.length }, 'loaded registry');
        return { ...(entries !== undefined && { entries }), ...(status !== undefined && { status }) };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * One transaction: marks the registry committed (which also serialises commits of the same
   * registry), writes the entries whose content or metadata changed (unchanged rows are not
   * touched), deletes the entries no longer present, writes the status and announces the change.
   */
  async commit(registry: string, entries: readonly StoredEntry[], status: SyncStatus): Promise<void> {
    const unique = this.#uniqueEntries(registry, entries);
    await this.#withClient(`committing registry "${registry}"`, async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(
          `INSERT INTO registries (name, committed_at) VALUES ($1, now())
           ON CONFLICT (name) DO UPDATE SET committed_at = EXCLUDED.committed_at`,
          [registry],
        );
        const records = entryRecords(unique);
        const changed = await changedEntries(client, registry, unique, records);
        for (let start = 0; start < changed.length; start += WRITE_BATCH) {
          await writeEntries(client, registry, changed.slice(start, start + WRITE_BATCH));
        }
        const deleted = await client.query(
          `DELETE FROM registry_entries AS e
           WHERE e.registry = $1
             AND NOT EXISTS (SELECT 1 FROM ${ENTRY_RECORDSET} WHERE k.name = e.name AND k.version = e.version)`,
          [registry, records],
        );
        await upsertStatus(client, registry, status);
        const notice: ChangeNotice = { registry, origin: this.#instanceId };
        await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify(notice)]);
        await client.query('COMMIT');
        this.#logger.debug({ registry, count: unique.length, written: changed.length, deleted: deleted.rowCount ?? 0 }, 'committed snapshot');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Upserts the status row alone. */
  async saveStatus(registry: string, status: SyncStatus): Promise<void> {
    await this.#withClient(`saving the status of registry "${registry}"`, async (client) => {
      await client.query('BEGIN');
      try {
        await client.query('INSERT INTO registries (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [registry]);
        await upsertStatus(client, registry, status);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * One atomic upsert on the database's clock: takes the lease when it is free or expired, renews
   * it when `holder` has it, and leaves it alone otherwise. True when `holder` holds it afterwards.
   */
  async tryLease(registry: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.#withClient(`taking the sync lease of registry "${registry}"`, async (client) => {
      const result = await client.query(
        `INSERT INTO registry_leases AS l (registry, holder, acquired_at, expires_at)
         VALUES ($1, $2, now(), now() + $3 * interval '1 millisecond')
         ON CONFLICT (registry) DO UPDATE
           SET holder = EXCLUDED.holder,
               acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE EXCLUDED.acquired_at END,
               expires_at = EXCLUDED.expires_at
           WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
         RETURNING holder`,
        [registry, holder, Math.max(0, Math.round(ttlMs))],
      );
      return result.rowCount === 1;
    });
  }

  /** Deletes the lease when `holder` holds it. */
  async releaseLease(registry: string, holder: string): Promise<void> {
    await this.#withClient(`releasing the sync lease of registry "${registry}"`, async (client) => {
      await client.query('DELETE FROM registry_leases WHERE registry = $1 AND holder = $2', [registry, holder]);
    });
  }

  /**
   * Calls `onChange(registry)` for every commit made by another storage instance (another
   * replica, or a `sync` run), and for every registry after the LISTEN connection came back.
   */
  watch(onChange: (registry: string) => void): () => void {
    const watcher = (registry: string) => onChange(registry);
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  /** Unhealthy while the LISTEN connection is down or the last statement could not reach the server. */
  health(): StorageHealth {
    if (this.#pool === undefined || this.#listener === undefined) return { healthy: false, message: 'PostgreSQL storage is not open' };
    const listener = this.#listener.state;
    if (!listener.connected) {
      return {
        healthy: false,
        message: `lost the LISTEN connection to ${describeTarget(this.#target)} (${listener.reason ?? 'unknown reason'}); reconnecting`,
      };
    }
    if (this.#connectionProblem !== undefined) return { healthy: false, message: this.#connectionProblem };
    return { healthy: true };
  }

  /** Runs `work` on a pooled connection, turning failures into `StorageError`s and tracking health. */
  async #withClient<T>(action: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const pool = this.#pool;
    if (pool === undefined) throw new StorageError(`PostgreSQL storage is not open (${action})`);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      const failure = connectError(error, this.#target, this.#secrets);
      this.#connectionProblem = failure.message;
      throw failure;
    }
    try {
      const result = await work(client);
      client.release();
      this.#connectionProblem = undefined;
      return result;
    } catch (error) {
      const lost = isConnectionError(error);
      // A connection that failed is not given back to the pool.
      client.release(lost ? (error instanceof Error ? error : true) : undefined);
      const failure = queryError(error, action, this.#target, this.#secrets);
      if (isStorageUnavailable(failure)) this.#connectionProblem = failure.message;
      throw failure;
    }
  }

  /** The entries with one per (name, version): a later duplicate replaces an earlier one. */
  #uniqueEntries(registry: string, entries: readonly StoredEntry[]): readonly StoredEntry[] {
    const byKey = new Map<string, StoredEntry>();
    for (const entry of entries) byKey.set(`${entry.server.name}\u0000${entry.server.version}`, entry);
    if (byKey.size === entries.length) return entries;
    this.#logger.warn({ registry, duplicates: entries.length - byKey.size }, 'snapshot has duplicate versions; keeping the last of each');
    return [...byKey.values()];
  }

  #notified(payload: string): void {
    let notice: Partial<ChangeNotice>;
    try {
      const parsed: unknown = JSON.parse(payload);
      notice = typeof parsed === 'object' && parsed !== null ? (parsed as Partial<ChangeNotice>) : {};
    } catch {
      // A hand-written `NOTIFY thv_registry_changed, '<registry>'` names the registry alone.
      notice = { registry: payload };
    }
    if (notice.origin === this.#instanceId || typeof notice.registry !== 'string') return;
    this.#emit(notice.registry);
  }

  /** After the LISTEN connection came back: every registry may have changed meanwhile. */
  async #catchUp(): Promise<void> {
    try {
      const registries = await this.#withClient('listing registries', async (client) => {
        const result = await client.query<{ name: string }>('SELECT name FROM registries WHERE committed_at IS NOT NULL ORDER BY name');
        return result.rows.map((row) => row.name);
      });
      for (const registry of registries) this.#emit(registry);
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not list registries after reconnecting; changes made meanwhile show after the next commit');
    }
  }

  #emit(registry: string): void {
    for (const watcher of this.#watchers) {
      try {
        watcher(registry);
      } catch (error) {
        this.#logger.error({ err: error, registry }, 'storage change handler failed');
      }
    }
  }

  /**
   * The serving user's password as node-postgres takes it: a function that reads it for each new
   * connection (a rotated file is picked up) and remembers it for scrubbing; undefined when no
   * source is configured, so that node-postgres' own defaults (PGPASSWORD, pgpass) apply.
   */
  #servingPassword(): PasswordProvider | undefined {
    if (this.#config.passwordFile === undefined && !this.#env[PASSWORD_ENV]) return undefined;
    return this.#remembered(() => resolvePassword(this.#config, this.#env));
  }

  /** The migration user's password, as {@link #servingPassword}, with its fallbacks. */
  #migrationPassword(): PasswordProvider | undefined {
    if (this.#config.migrationPasswordFile === undefined && !this.#env[MIGRATION_PASSWORD_ENV]) return this.#servingPassword();
    return this.#remembered(() => resolveMigrationPassword(this.#config, this.#env));
  }

  #remembered(read: () => Promise<string | undefined>): PasswordProvider {
    return async () => {
      const password = await read();
      if (password !== undefined) this.#secrets.add(password);
      return password;
    };
  }

  async #connectMigrationUser(): Promise<pg.Client> {
    const password = this.#migrationPassword();
    const client = new pg.Client(clientConfig(this.#config, this.#config.migrationUser, password, MIGRATION_APPLICATION_NAME));
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await endClient(client);
      throw connectError(error, this.#migrationTarget, this.#secrets);
    }
    return client;
  }
}

/**
 * The entries whose row is missing or differs in anything but the document (the content hash
 * covers it); `records` are their {@link entryRecords}.
 */
async function changedEntries(
  client: pg.PoolClient,
  registry: string,
  entries: readonly StoredEntry[],
  records: string,
): Promise<StoredEntry[]> {
  if (entries.length === 0) return [];
  const result = await client.query<{ i: string }>(
    `SELECT k.i
     FROM ${ENTRY_RECORDSET}
     LEFT JOIN registry_entries AS e ON e.registry = $1 AND e.name = k.name AND e.version = k.version
     WHERE e.registry IS NULL
        OR (e.content_hash, e.status, e.status_message, e.published_at, e.updated_at, e.status_changed_at, e.is_latest)
           IS DISTINCT FROM
           (k.content_hash, k.status, k.status_message, k.published_at, k.updated_at, k.status_changed_at, k.is_latest)`,
    [registry, records],
  );
  return result.rows.map((row) => entries[Number(row.i) - 1]!);
}

/** Inserts or updates `entries` (already known to differ) with one statement. */
async function writeEntries(client: pg.PoolClient, registry: string, entries: readonly StoredEntry[]): Promise<void> {
  await client.query(
    `INSERT INTO registry_entries
       (registry, name, version, server, status, status_message, published_at, updated_at, status_changed_at, is_latest, content_hash)
     SELECT $1, k.name, k.version, d.server, k.status, k.status_message, k.published_at, k.updated_at, k.status_changed_at,
            k.is_latest, k.content_hash
     FROM ${ENTRY_RECORDSET} JOIN ${SERVER_DOCUMENTS} ON d.i = k.i
     ON CONFLICT (registry, name, version) DO UPDATE SET
       server = EXCLUDED.server,
       status = EXCLUDED.status,
       status_message = EXCLUDED.status_message,
       published_at = EXCLUDED.published_at,
       updated_at = EXCLUDED.updated_at,
       status_changed_at = EXCLUDED.status_changed_at,
       is_latest = EXCLUDED.is_latest,
       content_hash = EXCLUDED.content_hash`,
    [registry, entryRecords(entries), serverDocuments(entries)],
  );
}

/** Inserts or replaces the status row of a registry whose `registries` row exists. */
async function upsertStatus(client: pg.PoolClient, registry: string, status: SyncStatus): Promise<void> {
  await client.query(
    `INSERT INTO registry_sync_status (registry, status, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (registry) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
    [registry, statusToJson(status)],
  );
}
