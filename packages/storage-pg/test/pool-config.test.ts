import t from 'tap';
import type { DatabaseConfig } from '@thv/registry-core';
import plugin, { APPLICATION_NAME, CLIENT_TIMEOUT_MARGIN_MS, IDLE_TIMEOUT_MS, PgStorage, poolConfig, sslOptions } from '../src/index.js';
import { failure, storageContext } from './fixtures.js';

const config: DatabaseConfig = {
  host: 'db.example.com',
  port: 6543,
  user: 'thv_user',
  database: 'registry',
  migrationUser: 'thv_owner',
  sslMode: 'verify-full',
  maxOpenConns: 20,
  maxIdleConns: 4,
  connMaxLifetime: '90s',
  connMaxLifetimeMs: 90_500,
  connectTimeout: '3s',
  connectTimeoutMs: 3_000,
  statementTimeout: '7s',
  statementTimeoutMs: 7_000,
};

t.test('sslMode → node-postgres ssl', async (t) => {
  t.equal(sslOptions('disable'), false);
  t.same(sslOptions('require'), { rejectUnauthorized: false });
  const verifyCa = sslOptions('verify-ca');
  t.match(verifyCa, { rejectUnauthorized: true });
  t.equal(typeof (verifyCa as { checkServerIdentity?: unknown }).checkServerIdentity, 'function');
  t.equal((verifyCa as { checkServerIdentity: () => unknown }).checkServerIdentity(), undefined, 'any host name is accepted');
  t.same(sslOptions('verify-full'), { rejectUnauthorized: true });
});

t.test('the pool settings', async (t) => {
  const pool = poolConfig(config, 'secret');
  t.match(pool, {
    host: 'db.example.com',
    port: 6543,
    user: 'thv_user',
    database: 'registry',
    ssl: { rejectUnauthorized: true },
    max: 20,
    min: 4,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    maxLifetimeSeconds: 91,
    connectionTimeoutMillis: 3_000,
    statement_timeout: 7_000,
    idle_in_transaction_session_timeout: 7_000,
    query_timeout: 7_000 + CLIENT_TIMEOUT_MARGIN_MS,
    application_name: APPLICATION_NAME,
    keepAlive: true,
  });
  t.equal(poolConfig({ ...config, connMaxLifetimeMs: 0 }, undefined).maxLifetimeSeconds, 0, '0s: no limit');
  t.notOk('password' in poolConfig(config, undefined), 'no password source: node-postgres defaults');
  t.equal(pool.password, 'secret', 'the password is there, not enumerable');
  t.notOk(Object.keys(pool).includes('password'));
});

t.test('the plugin declares type pg and a closed schema of the database block', async (t) => {
  t.equal(plugin.kind, 'storage');
  t.equal(plugin.type, 'pg');
  t.match(plugin.configSchema, { type: 'object', additionalProperties: false, required: ['host', 'port', 'user', 'database'] });
  const properties = Object.keys((plugin.configSchema as { properties: object }).properties).sort();
  t.same(properties, [...Object.keys(config), 'passwordFile', 'migrationPasswordFile'].sort());
});

t.test('create: a storage with migrations and users; relative password files resolve against the config', async (t) => {
  const storage = await plugin.create({ host: 'db', port: 5432, user: 'u', database: 'd', passwordFile: 'secret.txt' }, storageContext('/etc/thv'));
  t.type(storage, PgStorage);
  t.ok(storage.migrations);
  t.ok(storage.users);
  t.same(storage.health?.(), { healthy: false, message: 'PostgreSQL storage is not open' });
  t.equal((storage as PgStorage).describe(), 'PostgreSQL db:5432/d (user u, sslMode require)');
  await storage.close();
});

t.test('describe and errors never carry the password', async (t) => {
  const dir = t.testdir({ password: 'hunter2-secret' });
  const unreachable = { ...config, host: '127.0.0.1', port: 1, sslMode: 'disable', passwordFile: `${dir}/password` } as const;
  const storage = new PgStorage(unreachable, storageContext().logger, { env: { THV_DATABASE_PASSWORD: 'env-secret' } });
  t.notMatch(storage.describe(), /secret/);
  t.notMatch(JSON.stringify(poolConfig(config, 'hunter2-secret')), /hunter2/);
  const error = await failure(storage.open());
  t.equal(error.message, 'cannot connect to PostgreSQL at 127.0.0.1:1 as thv_owner: connection refused');
  t.notMatch(JSON.stringify(error), /secret/);
  await storage.close();
});
