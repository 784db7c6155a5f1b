import { StorageError, parseDuration, type DatabaseConfig } from '@thv/registry-core';

const nonEmptyString = { type: 'string', minLength: 1 } as const;

/**
 * JSON schema of the `database:` block as the plugin receives it. Core validates the block first
 * (same fields, same rules) and hands it over with its defaults applied and `connMaxLifetimeMs`
 * added; both the completed and the bare block are valid here.
 */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port', 'user', 'database'],
  properties: {
    host: { ...nonEmptyString, description: 'PostgreSQL host name or address.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'PostgreSQL port.' },
    user: { ...nonEmptyString, description: 'User the server connects as (reads and writes data).' },
    database: { ...nonEmptyString, description: 'Database name.' },
    passwordFile: {
      ...nonEmptyString,
      description: "File whose trimmed content is the user's password; else THV_DATABASE_PASSWORD.",
    },
    migrationUser: { ...nonEmptyString, description: 'User that runs schema migrations and prime-db. Default: user.' },
    migrationPasswordFile: {
      ...nonEmptyString,
      description:
        "File whose trimmed content is the migration user's password; else THV_DATABASE_MIGRATION_PASSWORD, else the user's password.",
    },
    sslMode: {
      enum: ['disable', 'require', 'verify-ca', 'verify-full'],
      description: 'TLS to the server. Default: require.',
    },
    maxOpenConns: { type: 'integer', minimum: 1, description: 'Most connections in the pool. Default: 25.' },
    maxIdleConns: {
      type: 'integer',
      minimum: 0,
      description: 'Connections kept open while idle (the pool shrinks to this size). Default: 5.',
    },
    connMaxLifetime: { type: 'string', description: 'Longest life of a connection, e.g. 5m; 0s for no limit. Default: 5m.' },
    connMaxLifetimeMs: { type: 'integer', minimum: 0, description: 'connMaxLifetime in milliseconds (set by core).' },
    connectTimeout: {
      type: 'string',
      description: 'How long opening a connection, or waiting for a free one in the pool, may take, e.g. 5s. Default: 5s.',
    },
    connectTimeoutMs: { type: 'integer', minimum: 1, description: 'connectTimeout in milliseconds (set by core).' },
    statementTimeout: {
      type: 'string',
      description:
        'How long one statement may run before PostgreSQL cancels it (and the client gives up on a server that does not answer), e.g. 10s. Default: 10s.',
    },
    statementTimeoutMs: { type: 'integer', minimum: 1, description: 'statementTimeout in milliseconds (set by core).' },
  },
} as const;

/** The `database:` block as the plugin may receive it: core's completed block, or the bare one. */
export type PgStorageConfig = Pick<DatabaseConfig, 'host' | 'port' | 'user' | 'database'> &
  Partial<Omit<DatabaseConfig, 'host' | 'port' | 'user' | 'database'>>;

/** The original server's defaults, as core applies them. */
export const DATABASE_DEFAULTS = {
  sslMode: 'require',
  maxOpenConns: 25,
  maxIdleConns: 5,
  connMaxLifetime: '5m',
  connMaxLifetimeMs: 300_000,
  connectTimeout: '5s',
  statementTimeout: '10s',
} as const;

/**
 * Completes a block that did not come through core (a test, a program using the plugin directly):
 * the same defaults as core.
 */
export function completeDatabaseConfig(config: PgStorageConfig): DatabaseConfig {
  const maxOpenConns = config.maxOpenConns ?? DATABASE_DEFAULTS.maxOpenConns;
  const connMaxLifetime = config.connMaxLifetime ?? DATABASE_DEFAULTS.connMaxLifetime;
  const connMaxLifetimeMs = config.connMaxLifetimeMs ?? parseDurationField('connMaxLifetime', connMaxLifetime);
  const connectTimeout = config.connectTimeout ?? DATABASE_DEFAULTS.connectTimeout;
  const connectTimeoutMs = config.connectTimeoutMs ?? parseDurationField('connectTimeout', connectTimeout);
  const statementTimeout = config.statementTimeout ?? DATABASE_DEFAULTS.statementTimeout;
  const statementTimeoutMs = config.statementTimeoutMs ?? parseDurationField('statementTimeout', statementTimeout);
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    database: config.database,
    ...(config.passwordFile === undefined ? {} : { passwordFile: config.passwordFile }),
    migrationUser: config.migrationUser ?? config.user,
    ...(config.migrationPasswordFile === undefined ? {} : { migrationPasswordFile: config.migrationPasswordFile }),
    sslMode: config.sslMode ?? DATABASE_DEFAULTS.sslMode,
    maxOpenConns,
    maxIdleConns: config.maxIdleConns ?? Math.min(DATABASE_DEFAULTS.maxIdleConns, maxOpenConns),
    connMaxLifetime,
    connMaxLifetimeMs,
    connectTimeout,
    connectTimeoutMs,
    statementTimeout,
    statementTimeoutMs,
  };
}

/** A duration field of a block that bypassed core. */
function parseDurationField(field: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new StorageError(`database.${field}: not a duration: ${JSON.stringify(text)}`);
  return ms;
}
