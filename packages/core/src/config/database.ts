import type { ErrorDetail } from '../errors.js';
import type { DatabaseConfig } from '../interfaces/config.js';
import { readDurationField } from './duration-field.js';
import { resolveFilePath } from './resolve-paths.js';
import type { DatabaseFile } from './schema.js';

/** The original server's defaults. */
const DEFAULTS = {
  sslMode: 'require',
  maxOpenConns: 25,
  maxIdleConns: 5,
  connMaxLifetime: '5m',
  connectTimeout: '5s',
  statementTimeout: '10s',
} as const;

// Shorter timeouts would fail on any network with a little latency.
const MINIMUM_TIMEOUT = { ms: 100, text: '100ms' };

/**
 * Completes a `database:` block with its defaults and absolute password-file paths (the files are
 * not read here). Records a problem when `maxIdleConns` exceeds `maxOpenConns` or
 * `connMaxLifetime`, `connectTimeout` or `statementTimeout` is not a duration. Messages name fields, never passwords.
 */
export function buildDatabase(raw: DatabaseFile, configDir: string, issues: ErrorDetail[]): DatabaseConfig {
  const maxOpenConns = raw.maxOpenConns ?? DEFAULTS.maxOpenConns;
  // A small pool given without an idle size keeps every connection idle-able rather than failing.
  const maxIdleConns = raw.maxIdleConns ?? Math.min(DEFAULTS.maxIdleConns, maxOpenConns);
  if (maxIdleConns > maxOpenConns) {
    issues.push({ path: 'database.maxIdleConns', message: `must be at most maxOpenConns (${maxOpenConns})` });
  }
  const connMaxLifetime = raw.connMaxLifetime ?? DEFAULTS.connMaxLifetime;
  const connMaxLifetimeMs = readDurationField(connMaxLifetime, 'database.connMaxLifetime', undefined, issues);
  const connectTimeout = raw.connectTimeout ?? DEFAULTS.connectTimeout;
  const connectTimeoutMs = readDurationField(connectTimeout, 'database.connectTimeout', MINIMUM_TIMEOUT, issues);
  const statementTimeout = raw.statementTimeout ?? DEFAULTS.statementTimeout;
  const statementTimeoutMs = readDurationField(statementTimeout, 'database.statementTimeout', MINIMUM_TIMEOUT, issues);
  return {
    host: raw.host,
    port: raw.port,
    user: raw.user,
    database: raw.database,
    ...(raw.passwordFile === undefined ? {} : { passwordFile: resolveFilePath(configDir, raw.passwordFile) }),
    migrationUser: raw.migrationUser ?? raw.user,
    ...(raw.migrationPasswordFile === undefined
      ? {}
      : { migrationPasswordFile: resolveFilePath(configDir, raw.migrationPasswordFile) }),
    sslMode: raw.sslMode ?? DEFAULTS.sslMode,
    maxOpenConns,
    maxIdleConns,
    connMaxLifetime,
    connMaxLifetimeMs,
    connectTimeout,
    connectTimeoutMs,
    statementTimeout,
    statementTimeoutMs,
  };
}
