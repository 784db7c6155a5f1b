import type { ConnectionOptions } from 'node:tls';
import type { DatabaseConfig } from '@thv/registry-core';
import type pg from 'pg';

/** `application_name` of the serving pool, as `pg_stat_activity` shows it. */
export const APPLICATION_NAME = 'thv-registry';
/** `application_name` of the dedicated LISTEN connection. */
export const LISTENER_APPLICATION_NAME = 'thv-registry-listen';
/** `application_name` of migration and `prime-db` connections. */
export const MIGRATION_APPLICATION_NAME = 'thv-registry-migrate';
/** How long a connection above `maxIdleConns` may sit idle before the pool closes it. */
export const IDLE_TIMEOUT_MS = 10_000;
/**
 * How much longer than `statementTimeout` the client waits for an answer before it gives the
 * connection up: the server cancels a slow statement first; the client's own limit catches a
 * server that stopped answering at all (a network that drops packets).
 */
export const CLIENT_TIMEOUT_MARGIN_MS = 2_000;
/** TCP keepalive probes start after this long idle, so a dead peer is noticed in minutes, not hours. */
export const KEEPALIVE_DELAY_MS = 10_000;

/** A password, or a function that reads it when a connection is opened (so a rotated file is seen). */
export type PasswordProvider = string | (() => Promise<string | undefined>);

/**
 * node-postgres' `ssl` for an `sslMode`:
 *
 * - `disable`: plain TCP.
 * - `require`: TLS, but the certificate is not checked (encrypts; does not stop a man in the middle).
 * - `verify-ca`: TLS, the certificate chain must lead to a trusted CA; the host name is not checked.
 * - `verify-full`: TLS, trusted chain and the certificate must name `host`.
 *
 * Trusted CAs are Node's: the bundled Mozilla list plus the PEM file named by `NODE_EXTRA_CA_CERTS`.
 */
export function sslOptions(mode: DatabaseConfig['sslMode']): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

/**
 * Options of one connection as `user` (the pool's, the listener's or the migration client's):
 * opening it may take `connectTimeout`.
 */
export function clientConfig(
  config: DatabaseConfig,
  user: string,
  password: PasswordProvider | undefined,
  applicationName = APPLICATION_NAME,
): pg.ClientConfig {
  const options: pg.ClientConfig = {
    host: config.host,
    port: config.port,
    user,
    database: config.database,
    ssl: sslOptions(config.sslMode),
    connectionTimeoutMillis: config.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    application_name: applicationName,
  };
  return withPassword(options, password);
}

/**
 * Options of the dedicated LISTEN connection: as {@link clientConfig}, and a statement (LISTEN, the
 * heartbeat) that gets no answer within `connectTimeout` counts as a lost connection.
 */
export function listenerConfig(config: DatabaseConfig, password: PasswordProvider | undefined): pg.ClientConfig {
  const options = clientConfig(config, config.user, password, LISTENER_APPLICATION_NAME);
  options.query_timeout = config.connectTimeoutMs;
  return options;
}

/** Sets `password` as a non-enumerable property: it stays out of JSON, logs and object spreads. */
function withPassword<T extends pg.ClientConfig>(options: T, password: PasswordProvider | undefined): T {
  if (password !== undefined) {
    Object.defineProperty(options, 'password', { value: password, enumerable: false, writable: true, configurable: true });
  }
  return options;
}

/**
 * The serving pool's options: the connection of {@link clientConfig} for `user`, plus
 *
 * - `maxOpenConns` → `max`: the most connections open at once;
 * - `maxIdleConns` → `min`: pg-pool has no cap on idle connections; instead, connections above
 *   `min` are closed after {@link IDLE_TIMEOUT_MS} idle, so an idle pool shrinks to `maxIdleConns`
 *   (pg-pool does not open connections ahead of need to reach it);
 * - `connMaxLifetime` → `maxLifetimeSeconds` (rounded up; `0s` keeps connections forever);
 * - `connectTimeout` → `connectionTimeoutMillis`, which also bounds the wait for a free connection
 *   when all are in use, so a stuck statement cannot leave other work waiting forever;
 * - `statementTimeout` → the server's `statement_timeout` and, as long again as a transaction may
 *   sit idle, `idle_in_transaction_session_timeout` (a replica that vanished mid-transaction does
 *   not hold its locks for long); the client gives up {@link CLIENT_TIMEOUT_MARGIN_MS} later
 *   (`query_timeout`).
 */
export function poolConfig(config: DatabaseConfig, password: PasswordProvider | undefined): pg.PoolConfig {
  const options: pg.PoolConfig = {
    ...clientConfig(config, config.user, undefined),
    statement_timeout: config.statementTimeoutMs,
    idle_in_transaction_session_timeout: config.statementTimeoutMs,
    query_timeout: config.statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
    max: config.maxOpenConns,
    min: Math.min(config.maxIdleConns, config.maxOpenConns),
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    maxLifetimeSeconds: Math.ceil(config.connMaxLifetimeMs / 1000),
  };
  return withPassword(options, password);
}
