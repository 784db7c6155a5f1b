import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { DatabaseConfig, StorageContext, StoredEntry } from '@thv/registry-core';
import { PgStorage, type PgStorageOptions } from '../src/index.js';
import type { Teardown, TestDatabase } from './helpers/test-database.js';

/** A silent logger. */
export const silentLogger = pino({ level: 'silent' });

/** A storage context for the plugin's `create`, with a silent logger. */
export function storageContext(configDir = '/config'): StorageContext {
  return {
    logger: silentLogger,
    configDir,
    dataDir: `${configDir}/data`,
    resolvePath: (path) => (path.startsWith('/') ? path : `${configDir}/${path}`),
  };
}

/** A storage for `config` (not opened), closed at teardown; reads no password from the real environment. */
export function pgStorage(t: Teardown, config: DatabaseConfig, options: PgStorageOptions = {}): PgStorage {
  const storage = new PgStorage(config, silentLogger, { env: {}, listener: { initialBackoffMs: 50, maxBackoffMs: 500 }, ...options });
  t.teardown(() => storage.close());
  return storage;
}

/** The same, opened. */
export async function openStorage(t: Teardown, config: DatabaseConfig, options: PgStorageOptions = {}): Promise<PgStorage> {
  const storage = pgStorage(t, config, options);
  await storage.open();
  return storage;
}

const T0 = '2025-01-01T00:00:00.000Z';

/** A stored entry for server `name`. */
export function entry(name: string, version = '1.0.0', overrides: Partial<StoredEntry> = {}): StoredEntry {
  return {
    server: {
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name,
      description: `${name} server`,
      version,
    },
    status: 'active',
    publishedAt: T0,
    updatedAt: T0,
    statusChangedAt: T0,
    contentHash: `hash-${name}-${version}`,
    ...overrides,
  };
}

/** A sync status attempted at `lastAttempt`. */
export { syncStatus as status } from '@thv/registry-core/testing';

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A config that serves as `user` (its password in a file under `dir`) and migrates as the admin:
 * right whether or not the server checks passwords.
 */
export function configAs(db: TestDatabase, dir: string, user: string, password: string): DatabaseConfig {
  const passwordFile = join(dir, `${user}.password`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  return db.databaseConfig({
    user,
    passwordFile,
    migrationUser: db.adminUser,
    ...(db.adminPasswordFile === undefined ? {} : { migrationPasswordFile: db.adminPasswordFile }),
  });
}

/** What `promise` rejects with; fails when it fulfils. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
