import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import type { Test } from 'tap';
import {
  acquirePasswordCheckingServer,
  createTestDatabase,
  dropRoleAtTeardown,
  uniqueName,
  type TestDatabase,
} from '../../storage-pg/test/helpers/test-database.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { databaseBlock, fileSourceConfig, writeConfig } from './helpers/fixtures.js';

/** The role prime-db grants to the user the server connects as. */
const SERVER_ROLE = 'toolhive_registry_server';

/** Passwords distinctive enough that finding one in any output is a leak. */
const FILE_PASSWORD = 'Fi1e-Secret-8c1d0e77';
const STDIN_PASSWORD = 'Std1n-Secret-5b2f9a41';
const DRY_RUN_PASSWORD = 'Dry-Secret-0a9e3c55';

interface Setup {
  dir: string;
  config: string;
  db: TestDatabase;
  /** An admin connection to the test database (ended at teardown). */
  admin: pg.Client;
  /** Whether the server refuses a wrong password (else it trusts every local login). */
  checksPasswords: boolean;
}

/**
 * A fresh, migrated test database (on a server that checks passwords when one is available), a
 * config whose `database:` block connects to it as the admin, and an admin connection.
 */
async function setup(t: Test): Promise<Setup> {
  const dir = t.testdir();
  const passwordServer = await acquirePasswordCheckingServer();
  const db = await createTestDatabase(t, passwordServer);
  const config = await writeConfig(dir, fileSourceConfig({ extra: databaseBlock(db.databaseConfig()) }));
  const up = await runCli(t, ['migrate', 'up', '--config', config]);
  t.equal(up.code, 0, up.stderr);
  return { dir, config, db, admin: await db.adminClient(), checksPasswords: passwordServer !== undefined };
}

/** A user name no other test uses, dropped at teardown (roles are cluster-wide). */
function newUser(t: Test, db: TestDatabase, prefix: string): string {
  const name = uniqueName(prefix);
  dropRoleAtTeardown(t, db.server, name);
  return name;
}

/** Whether `user` can log in to the test database with `password`. */
async function canConnect(db: TestDatabase, user: string, password: string): Promise<boolean> {
  const client = new pg.Client({ host: db.host, port: db.port, database: db.database, user, password, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function roleExists(admin: pg.Client, name: string): Promise<boolean> {
  const result = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  return result.rowCount === 1;
}

async function isMember(admin: pg.Client, user: string, role: string): Promise<boolean> {
  const result = await admin.query<{ member: boolean }>("SELECT pg_has_role($1, $2, 'MEMBER') AS member", [user, role]);
  return result.rows[0]?.member === true;
}

/** No password anywhere in what a run printed. */
function assertNoPassword(t: Test, run: CliResult, ...passwords: string[]): void {
  for (const password of passwords) {
    t.notMatch(run.stdout, password, 'password not on stdout');
    t.notMatch(run.stderr, password, 'password not on stderr');
  }
}

t.test('prime-db with --password-file creates the user, idempotently, and it can log in', async (t) => {
  const { dir, config, db, admin, checksPasswords } = await setup(t);
  const passwordFile = join(dir, 'app-password');
  await writeFile(passwordFile, `  ${FILE_PASSWORD}\n`);
  const user = newUser(t, db, 'registry_app');

  const first = await runCli(t, ['prime-db', '--config', config, user, '--password-file', passwordFile]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, `user ${user} is ready`);
  t.match(first.stdout, "PASSWORD '***'", 'statements printed with the password masked');
  t.match(first.stdout, `GRANT "${SERVER_ROLE}" TO "${user}"`);
  assertNoPassword(t, first, FILE_PASSWORD);

  const second = await runCli(t, ['prime-db', '--config', config, user, '--password-file', passwordFile, '--json']);
  t.equal(second.code, 0, second.stderr);
  const report = JSON.parse(second.stdout) as { username: string; dryRun: boolean; statements: string[] };
  t.match(report, { username: user, dryRun: false });
  t.ok(report.statements.some((statement) => statement.includes("'***'")), 'statements reported, masked');
  assertNoPassword(t, second, FILE_PASSWORD);

  t.ok(await roleExists(admin, user), 'the user exists');
  t.ok(await isMember(admin, user, SERVER_ROLE), `the user is a member of ${SERVER_ROLE}`);
  t.ok(await canConnect(db, user, FILE_PASSWORD), 'the user logs in with the trimmed password from the file');
  if (checksPasswords) t.notOk(await canConnect(db, user, 'a-wrong-password'), 'a wrong password is refused');
});

t.test('prime-db reads the password from the first line of stdin', async (t) => {
  const { config, db, admin, checksPasswords } = await setup(t);
  const user = newUser(t, db, 'registry_stdin');

  const run = await runCli(t, ['prime-db', '--config', config, user], { input: `  ${STDIN_PASSWORD}  \nsecond line is ignored\n` });
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, `user ${user} is ready`);
  assertNoPassword(t, run, STDIN_PASSWORD);
  t.ok(await isMember(admin, user, SERVER_ROLE), `the user is a member of ${SERVER_ROLE}`);
  t.ok(await canConnect(db, user, STDIN_PASSWORD), 'the user logs in with the password from stdin');
  if (checksPasswords) t.notOk(await canConnect(db, user, 'second line is ignored'), 'only the first line is the password');

  const empty = await runCli(t, ['prime-db', '--config', config, newUser(t, db, 'registry_empty')], { input: '  \nnot this\n' });
  t.equal(empty.code, 2);
  t.match(empty.stderr, 'the password is empty');
  const none = await runCli(t, ['prime-db', '--config', config, newUser(t, db, 'registry_none')]);
  t.equal(none.code, 2, 'stdin at its end gives no password');
  t.match(none.stderr, 'the password is empty');
});

t.test('prime-db --dry-run prints the statements, masked, and creates nothing', async (t) => {
  const { dir, config, db, admin } = await setup(t);
  const passwordFile = join(dir, 'dry-password');
  await writeFile(passwordFile, DRY_RUN_PASSWORD);
  const user = newUser(t, db, 'registry_dry');

  const run = await runCli(t, ['prime-db', '--config', config, user, '--password-file', passwordFile, '--dry-run']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, `CREATE ROLE "${user}" WITH LOGIN PASSWORD '***'`);
  t.match(run.stdout, /dry run: \d+ statements? printed, nothing executed/);
  assertNoPassword(t, run, DRY_RUN_PASSWORD);
  t.notOk(await roleExists(admin, user), 'no user was created');

  const json = await runCli(t, ['prime-db', '--config', config, user, '--dry-run', '--json'], { input: `${DRY_RUN_PASSWORD}\n` });
  t.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as { username: string; dryRun: boolean; statements: string[] };
  t.match(report, { username: user, dryRun: true });
  t.ok(report.statements.some((statement) => statement.includes("'***'")), 'statements reported, masked');
  assertNoPassword(t, json, DRY_RUN_PASSWORD);
  t.notOk(await roleExists(admin, user), 'still no user');
});

t.test('prime-db: a missing --password-file is a usage error; a database error is a runtime failure', async (t) => {
  const { dir, config, db } = await setup(t);
  const missing = await runCli(t, ['prime-db', '--config', config, 'registry_app', '--password-file', join(dir, 'nope')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /cannot read --password-file .*nope: ENOENT/);

  // A migration user that may not create roles: the database refuses, nothing leaks.
  const weak = uniqueName('registry_weak');
  const weakPassword = 'Weak-Secret-77c0a2d4';
  await db.adminClient().then((admin) => admin.query(`CREATE ROLE "${weak}" LOGIN PASSWORD '${weakPassword}'`));
  dropRoleAtTeardown(t, db.server, weak);
  await writeFile(join(dir, 'weak-password'), weakPassword);
  const weakConfig = await writeConfig(
    dir,
    fileSourceConfig({ extra: databaseBlock({ ...db.databaseConfig(), user: weak, passwordFile: join(dir, 'weak-password') }) }),
    'weak.yaml',
  );
  await writeFile(join(dir, 'app-password'), FILE_PASSWORD);
  const refused = await runCli(t, ['prime-db', '--config', weakConfig, newUser(t, db, 'registry_refused'), '--password-file', join(dir, 'app-password')]);
  t.equal(refused.code, 1, refused.stderr);
  t.match(refused.stderr, /permission denied/);
  t.notMatch(refused.stderr, /\n\s+at /, 'no stack trace');
  assertNoPassword(t, refused, FILE_PASSWORD, weakPassword);
});
