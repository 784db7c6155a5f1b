import { join } from 'node:path';
import t from 'tap';
import pg from 'pg';
import { StorageError } from '@thv/registry-core';
import { MASKED_PASSWORD, SERVER_ROLE, userStatements } from '../src/index.js';
import { configAs, entry, failure, openStorage, pgStorage, status } from './fixtures.js';
import {
  acquirePasswordCheckingServer,
  createLoginRole,
  createTestDatabase,
  dropRoleAtTeardown,
  uniqueName,
  type TestDatabase,
} from './helpers/test-database.js';

const T1 = '2025-01-01T00:00:00.000Z';

async function roleInfo(db: TestDatabase, name: string) {
  const admin = await db.adminClient();
  const result = await admin.query<{ login: boolean; member: boolean; connect: boolean }>(
    `SELECT r.rolcanlogin AS login,
            pg_has_role(r.oid, $2, 'MEMBER') AS member,
            has_database_privilege(r.oid, $3, 'CONNECT') AS connect
     FROM pg_roles r WHERE r.rolname = $1`,
    [name, SERVER_ROLE, db.database],
  );
  return result.rows[0];
}

t.test('userStatements: quoted identifiers, escaped password, masked copy', async (t) => {
  const { statements, masked } = userStatements('app"user', "it's $thv$ secret", 'my db');
  t.equal(statements.length, 4);
  t.match(statements[1], /ALTER ROLE "app""user" WITH LOGIN PASSWORD 'it''s \$thv\$ secret';/);
  t.match(statements[1], /^DO \$thv1\$/, 'a dollar-quote tag the password does not contain');
  t.equal(statements[2], `GRANT "${SERVER_ROLE}" TO "app""user"`);
  t.equal(statements[3], 'GRANT CONNECT ON DATABASE "my db" TO "app""user"');
  t.ok(masked.every((statement) => !statement.includes('secret')));
  t.match(masked[1], `CREATE ROLE "app""user" WITH LOGIN PASSWORD ${MASKED_PASSWORD};`);
  t.throws(() => userStatements('', 'x', 'db'), StorageError);
  t.throws(() => userStatements('u', '', 'db'), /password must not be empty/);
  t.throws(() => userStatements(SERVER_ROLE, 'x', 'db'), /must not be the server role/);
});

t.test('prepare: dry run returns masked statements and changes nothing; real runs are idempotent', async (t) => {
  const db = await createTestDatabase(t);
  const storage = pgStorage(t, db.databaseConfig());
  await storage.migrations.up();
  const username = uniqueName('thv_app');
  dropRoleAtTeardown(t, db.server, username);

  const dry = await storage.users.prepare(username, 'first-secret', { dryRun: true });
  t.equal(dry.length, 4);
  t.ok(dry.every((statement) => !statement.includes('first-secret')));
  t.ok(dry.some((statement) => statement.includes(`PASSWORD ${MASKED_PASSWORD}`)));
  t.equal(await roleInfo(db, username), undefined, 'dry run: no role');

  t.same(await storage.users.prepare(username, 'first-secret', { dryRun: false }), dry);
  t.same(await roleInfo(db, username), { login: true, member: true, connect: true });
  t.same(await storage.users.prepare(username, 'second-secret', { dryRun: false }), dry, 'again: no error');
  t.same(await roleInfo(db, username), { login: true, member: true, connect: true });
});

t.test('a user holding only the server role can load, commit and lease, but no DDL', async (t) => {
  const db = await createTestDatabase(t);
  const owner = pgStorage(t, db.databaseConfig());
  await owner.migrations.up();
  const username = uniqueName('thv_app');
  dropRoleAtTeardown(t, db.server, username);
  await owner.users.prepare(username, 'app-secret', { dryRun: false });

  // The app connects as the new user; migrations (none pending) as the admin.
  const dir = t.testdir({});
  const storage = await openStorage(t, configAs(db, dir, username, 'app-secret'));
  await storage.commit('default', [entry('io.github.test/one')], status(T1));
  t.same((await storage.load('default')).entries?.map((e) => e.server.name), ['io.github.test/one']);
  await storage.saveStatus('default', status(T1, { phase: 'Failed' }));
  t.equal(await storage.tryLease('default', 'me', 1000), true);
  await storage.releaseLease('default', 'me');

  const client = new pg.Client({ host: db.host, port: db.port, user: username, password: 'app-secret', database: db.database });
  await client.connect();
  t.teardown(() => client.end());
  await t.rejects(client.query('CREATE TABLE intruder (id int)'), { code: '42501', message: 'permission denied for schema public' });
  await t.rejects(client.query('DROP TABLE registry_entries'), { code: '42501', message: 'must be owner of table registry_entries' });
  await t.rejects(client.query('ALTER TABLE registries ADD COLUMN x int'), { code: '42501' });
  await t.rejects(client.query('TRUNCATE registry_leases'), { code: '42501' });
  await t.rejects(client.query('DELETE FROM thv_registry_schemaversion'), { code: '42501' });

  // With no migration credentials of its own, it can still check that the schema is up to date.
  const { migrationPasswordFile: _, ...appOnly } = configAs(db, dir, username, 'app-secret');
  const own = pgStorage(t, { ...appOnly, migrationUser: username });
  t.match(await own.migrations.status(), { current: 2, latest: 2 });
  t.same(await own.migrations.up(), { from: 2, to: 2, versions: [] });
  await own.open();
  t.same(own.health(), { healthy: true });
  await own.commit('default', [], status(T1));

  const noRole = uniqueName('thv_norole');
  await createLoginRole(t, db, noRole, 'x');
  const outsider = await openStorage(t, configAs(db, dir, noRole, 'x'));
  await t.rejects(outsider.load('default'), {
    name: 'StorageError',
    message: 'PostgreSQL refused loading registry "default": permission denied for table registries (SQLSTATE 42501)',
  });
  t.same(outsider.health(), { healthy: true }, 'a refused statement is not a connection problem');
});

t.test('prime-db as a migration user that cannot create roles fails clearly, without the password', async (t) => {
  const db = await createTestDatabase(t);
  const weak = uniqueName('thv_weak');
  await createLoginRole(t, db, weak, 'weak-password');
  const dir = t.testdir({ weak: 'weak-password' });
  const storage = pgStorage(t, db.databaseConfig({ migrationUser: weak, migrationPasswordFile: join(dir, 'weak') }));
  const username = uniqueName('thv_app');
  const error = await failure(storage.users.prepare(username, 'super-secret-pw', { dryRun: false }));
  t.type(error, StorageError);
  t.match(error.message, /^prime-db: preparing user .* failed: permission denied to create role \(SQLSTATE 42501\)$/);
  t.notMatch(JSON.stringify({ ...error, message: error.message, cause: String(error.cause) }), /super-secret-pw/);
});

t.test('a wrong password gives a clear error without the password (server that checks passwords)', async (t) => {
  const server = await acquirePasswordCheckingServer();
  if (server === undefined) {
    t.plan(0, 'the test server trusts every connection and no embedded PostgreSQL could be started');
    return;
  }
  t.comment(`password checks against ${server.embedded ? 'an embedded' : 'the test'} server`);
  const db = await createTestDatabase(t, server);
  const role = uniqueName('thv_pw');
  await createLoginRole(t, db, role, 'the-right-password');
  const dir = t.testdir({ wrong: 'the-wrong-password\n', right: 'the-right-password\n' });

  const wrong = pgStorage(t, db.databaseConfig({ user: role, migrationUser: role, passwordFile: join(dir, 'wrong') }));
  const error = await failure(wrong.open());
  t.type(error, StorageError);
  t.equal(error.message, `cannot connect to PostgreSQL at ${db.host}:${db.port} as ${role}: password authentication failed for user "${role}"`);
  t.notMatch(JSON.stringify({ ...error, message: error.message, stack: error.stack }), /the-wrong-password|the-right-password/);

  // No file: THV_DATABASE_PASSWORD is the migration user's password too (and wrong for it).
  const envStorage = pgStorage(t, db.databaseConfig({ user: role, migrationUser: db.adminUser, passwordFile: undefined }), {
    env: { THV_DATABASE_PASSWORD: 'the-wrong-password' },
  });
  await t.rejects(envStorage.migrations.status(), {
    message: `cannot connect to PostgreSQL at ${db.host}:${db.port} as ${db.adminUser}: password authentication failed for user "${db.adminUser}"`,
  });

  // passwordFile beats the environment.
  const fileBeatsEnv = pgStorage(t, db.databaseConfig({ user: role, migrationUser: role, passwordFile: join(dir, 'right') }), {
    env: { THV_DATABASE_PASSWORD: 'the-wrong-password' },
  });
  t.same(await fileBeatsEnv.migrations.status(), { current: 0, latest: 2, migrations: (await fileBeatsEnv.migrations.status()).migrations });

  // prime-db's user can log in with its password.
  const admin = pgStorage(t, db.databaseConfig());
  await admin.migrations.up();
  const app = uniqueName('thv_app');
  dropRoleAtTeardown(t, server, app);
  await admin.users.prepare(app, 'app-password', { dryRun: false });
  const appStorage = await openStorage(t, configAs(db, dir, app, 'app-password'));
  await appStorage.commit('default', [entry('io.github.test/pw')], status(T1));
  t.equal((await appStorage.load('default')).entries?.length, 1);
});
