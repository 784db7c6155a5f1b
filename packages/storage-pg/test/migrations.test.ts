import t from 'tap';
import { StorageError } from '@thv/registry-core';
import { SCHEMA_TABLE, SERVER_ROLE } from '../src/index.js';
import { configAs, pgStorage } from './fixtures.js';
import { createLoginRole, createTestDatabase, uniqueName, type TestDatabase } from './helpers/test-database.js';

const TABLES = ['registries', 'registry_entries', 'registry_leases', 'registry_sync_status'];

async function tables(db: TestDatabase): Promise<string[]> {
  const admin = await db.adminClient();
  const result = await admin.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_name <> $1 ORDER BY table_name`,
    [SCHEMA_TABLE],
  );
  return result.rows.map((row) => row.name);
}

async function serverRoleGrants(db: TestDatabase): Promise<string[]> {
  const admin = await db.adminClient();
  const result = await admin.query<{ grant: string }>(
    `SELECT table_name || ':' || string_agg(privilege_type, ',' ORDER BY privilege_type) AS grant
     FROM information_schema.role_table_grants WHERE grantee = $1 GROUP BY table_name ORDER BY table_name`,
    [SERVER_ROLE],
  );
  return result.rows.map((row) => row.grant);
}

t.test('up, status, down 1, status, down to 0, up again', async (t) => {
  const db = await createTestDatabase(t);
  const storage = pgStorage(t, db.databaseConfig());
  const { migrations } = storage;

  const fresh = await migrations.status();
  t.same(fresh, {
    current: 0,
    latest: 2,
    migrations: [
      { version: 1, name: 'create_tables', applied: false },
      { version: 2, name: 'grant_server_role', applied: false },
    ],
  });
  t.same(await tables(db), [], 'status creates nothing');

  const before = Date.now();
  t.same(await migrations.up(), { from: 0, to: 2, versions: [1, 2] });
  const applied = await migrations.status();
  t.equal(applied.current, 2);
  t.equal(applied.latest, 2);
  t.ok(applied.migrations.every((migration) => migration.applied));
  for (const migration of applied.migrations) {
    const at = Date.parse(migration.appliedAt ?? '');
    t.ok(at >= before - 5000 && at <= Date.now() + 5000, `appliedAt of ${migration.version} is now (${migration.appliedAt})`);
  }
  t.same(await tables(db), TABLES);
  t.same(await serverRoleGrants(db), [
    ...TABLES.map((table) => `${table}:DELETE,INSERT,SELECT,UPDATE`),
    `${SCHEMA_TABLE}:SELECT`,
  ]);

  t.same(await migrations.up(), { from: 2, to: 2, versions: [] }, 'up again is a no-op');

  t.same(await migrations.down(1), { from: 2, to: 1, versions: [2] });
  const afterDown = await migrations.status();
  t.equal(afterDown.current, 1);
  t.match(afterDown.migrations, [
    { version: 1, applied: true },
    { version: 2, applied: false },
  ]);
  t.notOk('appliedAt' in afterDown.migrations[1]!);
  t.same(await tables(db), TABLES, 'tables stay');
  t.same(await serverRoleGrants(db), [], 'grants are revoked');

  t.same(await migrations.down(5), { from: 1, to: 0, versions: [1] }, 'more steps than applied goes to 0');
  t.same(await tables(db), []);
  t.equal((await migrations.status()).current, 0);

  t.same(await migrations.up(), { from: 0, to: 2, versions: [1, 2] });
  t.same(await tables(db), TABLES);
});

t.test('down with a bad number of steps', async (t) => {
  const db = await createTestDatabase(t);
  const storage = pgStorage(t, db.databaseConfig());
  await t.rejects(storage.migrations.down(0), StorageError);
  await t.rejects(storage.migrations.down(1.5), /positive integer/);
});

t.test('two concurrent up() calls: one migrates, the other waits and finds nothing to do', async (t) => {
  const db = await createTestDatabase(t);
  const a = pgStorage(t, db.databaseConfig());
  const b = pgStorage(t, db.databaseConfig());
  const results = await Promise.all([a.migrations.up(), b.migrations.up(), a.migrations.up()]);
  const versions = results.map((result) => result.versions).sort((x, y) => y.length - x.length);
  t.same(versions, [[1, 2], [], []]);
  t.same(await tables(db), TABLES);
  const admin = await db.adminClient();
  const rows = await admin.query(`SELECT version FROM ${SCHEMA_TABLE} ORDER BY version`);
  t.same(rows.rows.map((row: { version: string }) => Number(row.version)), [0, 1, 2]);
});

t.test('two storages opening together both end up open on the migrated schema', async (t) => {
  const db = await createTestDatabase(t);
  const a = pgStorage(t, db.databaseConfig());
  const b = pgStorage(t, db.databaseConfig());
  await Promise.all([a.open(), b.open()]);
  t.equal((await a.migrations.status()).current, 2);
});

t.test('a changed migration file is detected by its checksum and nothing runs', async (t) => {
  const db = await createTestDatabase(t);
  const storage = pgStorage(t, db.databaseConfig());
  await storage.migrations.up();
  const admin = await db.adminClient();
  await admin.query(`UPDATE ${SCHEMA_TABLE} SET md5 = 'x' WHERE version = 1`);
  await t.rejects(storage.migrations.up(), /migrate up failed: MD5 checksum failed for migration \[1\]; rolled back/);
});

t.test('migrations connect as the migration user with its own error', async (t) => {
  const db = await createTestDatabase(t);
  const storage = pgStorage(t, db.databaseConfig({ port: 1, host: '127.0.0.1' }));
  await t.rejects(storage.migrations.status(), {
    name: 'StorageUnavailableError',
    code: 'THV_ERR_STORAGE_UNAVAILABLE',
    message: `cannot connect to PostgreSQL at 127.0.0.1:1 as ${db.adminUser}: connection refused`,
  });
});

t.test('a migration user without CREATE on the schema: a clear error, nothing changed', async (t) => {
  const db = await createTestDatabase(t);
  const weak = await createLoginRole(t, db, uniqueName('thv_weak'), 'weak');
  const config = configAs(db, t.testdir({}), weak, 'weak');
  const storage = pgStorage(t, { ...config, migrationUser: weak, migrationPasswordFile: config.passwordFile! });
  await t.rejects(storage.migrations.up(), {
    name: 'StorageError',
    message: 'migrate up failed: permission denied for schema public; rolled back, the schema is unchanged',
  });
  await t.rejects(storage.open(), { message: /^migrate up failed/ });
  t.same(await tables(db), []);
});
