import { defineStoragePlugin, type StorageContext } from '@thv/registry-core';
import { completeDatabaseConfig, configSchema, type PgStorageConfig } from './config-schema.js';
import { PgStorage } from './pg-storage.js';

export { completeDatabaseConfig, configSchema, DATABASE_DEFAULTS, type PgStorageConfig } from './config-schema.js';
export {
  MIGRATION_PASSWORD_ENV,
  PASSWORD_ENV,
  readPasswordFile,
  resolveCredentials,
  resolveMigrationPassword,
  resolvePassword,
  type CredentialsConfig,
  type DatabaseCredentials,
  type Environment,
} from './credentials.js';
export {
  APPLICATION_NAME,
  CLIENT_TIMEOUT_MARGIN_MS,
  clientConfig,
  IDLE_TIMEOUT_MS,
  KEEPALIVE_DELAY_MS,
  LISTENER_APPLICATION_NAME,
  listenerConfig,
  MIGRATION_APPLICATION_NAME,
  poolConfig,
  sslOptions,
  type PasswordProvider,
} from './pool-config.js';
export {
  connectError,
  connectionReason,
  describeTarget,
  isConnectionError,
  queryError,
  redact,
  type ConnectionTarget,
} from './database-errors.js';
export { MIGRATION_LOCK_KEY, MIGRATIONS_DIR, PgMigrations, SCHEMA_TABLE, type MigrationConnector } from './migrations.js';
export { MASKED_PASSWORD, PgUsers, SERVER_ROLE, userStatements, type UserStatements } from './users.js';
export { END_TIMEOUT_MS, endClient } from './end-client.js';
export { ChangeListener, type ListenerState, type ListenerTiming } from './listener.js';
export { CHANGE_CHANNEL, PgStorage, type ChangeNotice, type PgStorageOptions } from './pg-storage.js';

/** Builds the storage for a `database:` block; password files are resolved against the config file. */
function createPgStorage(config: PgStorageConfig, ctx: StorageContext): PgStorage {
  const complete = completeDatabaseConfig({
    ...config,
    ...(config.passwordFile === undefined ? {} : { passwordFile: ctx.resolvePath(config.passwordFile) }),
    ...(config.migrationPasswordFile === undefined ? {} : { migrationPasswordFile: ctx.resolvePath(config.migrationPasswordFile) }),
  });
  return new PgStorage(complete, ctx.logger);
}

/** The `pg` storage plugin, chosen by a `database:` block: PostgreSQL, for one or many replicas. */
export default defineStoragePlugin<typeof configSchema, PgStorageConfig>({
  type: 'pg',
  configSchema,
  create: createPgStorage,
});
