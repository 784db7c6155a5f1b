import { fileURLToPath } from 'node:url';
import {
  StorageError,
  type Logger,
  type MigrationInfo,
  type MigrationResult,
  type MigrationStatus,
  type StorageMigrations,
} from '@thv/registry-core';
import type pg from 'pg';
import Postgrator from 'postgrator';
import { endClient } from './end-client.js';

/** The SQL migrations shipped with the package (`NNN.do.<name>.sql`, `NNN.undo.<name>.sql`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
/** postgrator's table of applied migrations. */
export const SCHEMA_TABLE = 'thv_registry_schemaversion';
/**
 * Key of the transaction-scoped advisory lock every migration run takes first, so that replicas
 * starting together migrate one after the other ("thvr" in ASCII).
 */
export const MIGRATION_LOCK_KEY = 0x74687672;

/** A connected client as the migration user; the caller ends it. */
export type MigrationConnector = () => Promise<pg.Client>;

type Migration = Postgrator.Migration;

/** A schema name postgrator can use verbatim in `SET search_path` and a string literal. */
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Schema migrations with postgrator, each run in ONE transaction behind an advisory lock: all of
 * it applies or none, and concurrent runs (replicas starting together) queue instead of racing.
 * Every call opens its own connection as the migration user, so it works without `open()`.
 */
export class PgMigrations implements StorageMigrations {
  readonly #connect: MigrationConnector;
  readonly #logger: Logger;
  readonly #pattern: string;

  constructor(connect: MigrationConnector, logger: Logger, dir: string = MIGRATIONS_DIR) {
    this.#connect = connect;
    this.#logger = logger;
    this.#pattern = `${dir.replaceAll('\\', '/').replace(/\/?$/, '/')}*`;
  }

  /** Applied and pending migrations; changes nothing (not even the version table). */
  async status(): Promise<MigrationStatus> {
    const client = await this.#connect();
    try {
      const postgrator = await this.#postgrator(client);
      const available = doMigrations(await postgrator.getMigrations());
      const applied = await appliedMigrations(client);
      const byVersion = new Map<number, MigrationInfo>();
      for (const migration of available) {
        const run = applied.get(migration.version);
        byVersion.set(migration.version, {
          version: migration.version,
          name: migration.name,
          applied: run !== undefined,
          ...(run?.appliedAt === undefined ? {} : { appliedAt: run.appliedAt }),
        });
      }
      // Applied by a newer build: listed too, so that the operator sees why `current` > `latest`.
      for (const [version, run] of applied) {
        if (!byVersion.has(version)) {
          const appliedAt = run.appliedAt === undefined ? {} : { appliedAt: run.appliedAt };
          byVersion.set(version, { version, name: run.name, applied: true, ...appliedAt });
        }
      }
      return {
        current: Math.max(0, ...applied.keys()),
        latest: Math.max(0, ...available.map((migration) => migration.version)),
        migrations: [...byVersion.values()].sort((a, b) => a.version - b.version),
      };
    } finally {
      await endClient(client);
    }
  }

  /** Applies every pending migration in one transaction. */
  up(): Promise<MigrationResult> {
    return this.#run('up', (current, available) => {
      const latest = Math.max(0, ...available.map((migration) => migration.version));
      if (current > latest) {
        this.#logger.warn({ current, latest }, 'the database schema is newer than this build knows; leaving it as it is');
        return current;
      }
      return latest;
    });
  }

  /** Undoes the last `steps` applied migrations in one transaction. */
  down(steps: number): Promise<MigrationResult> {
    if (!Number.isInteger(steps) || steps < 1) {
      return Promise.reject(new StorageError(`migrate down: the number of steps must be a positive integer (got ${steps})`));
    }
    return this.#run('down', (current, available, undo) => {
      const applied = available.map((migration) => migration.version).filter((version) => version <= current);
      const target = applied[applied.length - steps - 1] ?? 0;
      for (const version of applied.filter((v) => v > target)) {
        if (!undo.has(version)) throw new StorageError(`migrate down: migration ${version} has no undo script`);
      }
      if (current > Math.max(0, ...applied)) {
        throw new StorageError(`migrate down: the database is at version ${current}, which this build does not know`);
      }
      return target;
    });
  }

  async #run(
    direction: 'up' | 'down',
    chooseTarget: (current: number, available: Migration[], undo: ReadonlySet<number>) => number,
  ): Promise<MigrationResult> {
    const client = await this.#connect();
    let running: Migration | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const postgrator = await this.#postgrator(client);
      postgrator.on('migration-started', (migration: Migration) => {
        running = migration;
      });
      const all = await postgrator.getMigrations();
      const from = await postgrator.getDatabaseVersion();
      const undo = new Set(all.filter((migration) => migration.action === 'undo').map((migration) => migration.version));
      const target = chooseTarget(from, doMigrations(all), undo);
      // Also when there is nothing to run: postgrator then checks the applied files' checksums.
      const done = await postgrator.migrate(String(target));
      await client.query('COMMIT');
      const result: MigrationResult = { from, to: target, versions: done.map((migration) => migration.version) };
      this.#logger.debug(result, `migrate ${direction}`);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw migrationError(error, direction, running);
    } finally {
      await endClient(client);
    }
  }

  async #postgrator(client: pg.Client): Promise<Postgrator> {
    // postgrator writes run_at as a UTC time without zone: the session must be in UTC.
    await client.query(`SET TIME ZONE 'UTC'`);
    const schema = (await client.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows[0]?.schema ?? null;
    if (schema === null) {
      throw new StorageError('the migration user has no schema to create tables in (search_path names no existing schema)');
    }
    return new Postgrator({
      migrationPattern: this.#pattern,
      driver: 'pg',
      schemaTable: SCHEMA_TABLE,
      // Scopes the version-table lookup to the schema the tables go to.
      ...(PLAIN_IDENTIFIER.test(schema) ? { currentSchema: schema } : {}),
      execQuery: (sql: string) => client.query(sql),
    });
  }
}

/** The `do` migrations, by version. */
function doMigrations(migrations: Migration[]): Migration[] {
  return migrations.filter((migration) => migration.action === 'do').sort((a, b) => a.version - b.version);
}

/** Applied migrations from the version table (empty when it does not exist yet). */
async function appliedMigrations(client: pg.Client): Promise<Map<number, { name: string; appliedAt?: string }>> {
  const table = await client.query<{ table: string | null }>(
    `SELECT to_regclass(format('%I.%I', current_schema(), $1::text))::text AS table`,
    [SCHEMA_TABLE],
  );
  const applied = new Map<number, { name: string; appliedAt?: string }>();
  if (table.rows[0]?.table == null) return applied;
  const rows = await client.query<{ version: string; name: string | null; run_at: Date | null }>(
    `SELECT version, name, run_at FROM ${client.escapeIdentifier(SCHEMA_TABLE)} WHERE version > 0 ORDER BY version`,
  );
  for (const row of rows.rows) {
    applied.set(Number(row.version), {
      name: row.name ?? '',
      ...(row.run_at === null ? {} : { appliedAt: row.run_at.toISOString() }),
    });
  }
  return applied;
}

/** A failed run as a `StorageError` that says which migration failed and that nothing changed. */
function migrationError(error: unknown, direction: 'up' | 'down', running: Migration | undefined): StorageError {
  if (error instanceof StorageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const step = running?.action === 'undo' ? 'undo of migration' : 'migration';
  const which = running === undefined ? '' : ` at ${step} ${running.version} (${running.name})`;
  return new StorageError(`migrate ${direction} failed${which}: ${message}; rolled back, the schema is unchanged`, {
    cause: error,
  });
}
