import { join } from 'node:path';
import t from 'tap';
import { StorageError } from '@thv/registry-core';
import {
  completeDatabaseConfig,
  readPasswordFile,
  resolveCredentials,
  resolveMigrationPassword,
  resolvePassword,
} from '../src/index.js';

t.test('password: passwordFile (trimmed) beats THV_DATABASE_PASSWORD', async (t) => {
  const dir = t.testdir({ password: '  from-file\n', empty: '\n' });
  const env = { THV_DATABASE_PASSWORD: 'from-env' };
  t.equal(await resolvePassword({ user: 'u', passwordFile: join(dir, 'password') }, env), 'from-file');
  t.equal(await resolvePassword({ user: 'u' }, env), 'from-env');
  t.equal(await resolvePassword({ user: 'u' }, {}), undefined, 'none: node-postgres defaults apply');
  t.equal(await resolvePassword({ user: 'u' }, { THV_DATABASE_PASSWORD: '' }), undefined, 'blank env is none');
  t.equal(await resolvePassword({ user: 'u', passwordFile: join(dir, 'empty') }, env), '', 'an empty file is an empty password');
});

t.test('migration password: migrationPasswordFile, else its env, else the password', async (t) => {
  const dir = t.testdir({ password: 'app-file', migration: 'migration-file\n' });
  const files = { user: 'u', passwordFile: join(dir, 'password'), migrationPasswordFile: join(dir, 'migration') };
  const env = { THV_DATABASE_PASSWORD: 'app-env', THV_DATABASE_MIGRATION_PASSWORD: 'migration-env' };
  t.equal(await resolveMigrationPassword(files, env), 'migration-file');
  t.equal(await resolveMigrationPassword({ user: 'u', passwordFile: files.passwordFile }, env), 'migration-env');
  t.equal(await resolveMigrationPassword({ user: 'u', passwordFile: files.passwordFile }, { THV_DATABASE_PASSWORD: 'x' }), 'app-file');
  t.equal(await resolveMigrationPassword({ user: 'u' }, { THV_DATABASE_PASSWORD: 'app-env' }), 'app-env');
  t.equal(await resolveMigrationPassword({ user: 'u' }, {}), undefined);
});

t.test('resolveCredentials: the migration user defaults to user', async (t) => {
  t.same(await resolveCredentials({ user: 'app' }, { THV_DATABASE_PASSWORD: 'secret' }), {
    user: 'app',
    password: 'secret',
    migrationUser: 'app',
    migrationPassword: 'secret',
  });
  t.same(
    await resolveCredentials({ user: 'app', migrationUser: 'owner' }, { THV_DATABASE_MIGRATION_PASSWORD: 'm' }),
    { user: 'app', migrationUser: 'owner', migrationPassword: 'm' },
  );
});

t.test('a missing or unreadable password file names the file, never a password', async (t) => {
  const dir = t.testdir({ real: 'do-not-print-me', sub: {} });
  const missing = join(dir, 'missing');
  await t.rejects(resolvePassword({ user: 'u', passwordFile: missing }, { THV_DATABASE_PASSWORD: 'env-secret' }), {
    name: 'StorageError',
    message: `cannot read database.passwordFile ${missing}: no such file`,
  });
  await t.rejects(
    resolveMigrationPassword({ user: 'u', passwordFile: join(dir, 'real'), migrationPasswordFile: join(dir, 'sub') }, {}),
    { message: `cannot read database.migrationPasswordFile ${join(dir, 'sub')}: it is a directory` },
  );
  const error = await readPasswordFile(missing).catch((e: unknown) => e);
  t.type(error, StorageError);
  t.notMatch(String((error as Error).message), /do-not-print-me|env-secret/);
});

t.test('completeDatabaseConfig applies core defaults to a bare block', async (t) => {
  t.same(completeDatabaseConfig({ host: 'db', port: 5432, user: 'app', database: 'registry' }), {
    host: 'db',
    port: 5432,
    user: 'app',
    database: 'registry',
    migrationUser: 'app',
    sslMode: 'require',
    maxOpenConns: 25,
    maxIdleConns: 5,
    connMaxLifetime: '5m',
    connMaxLifetimeMs: 300_000,
    connectTimeout: '5s',
    connectTimeoutMs: 5_000,
    statementTimeout: '10s',
    statementTimeoutMs: 10_000,
  });
  t.match(
    completeDatabaseConfig({ host: 'db', port: 1, user: 'u', database: 'd', maxOpenConns: 2, connMaxLifetime: '1h30m', statementTimeout: '2s' }),
    { maxIdleConns: 2, connMaxLifetimeMs: 5_400_000, statementTimeoutMs: 2_000 },
  );
  t.throws(() => completeDatabaseConfig({ host: 'db', port: 1, user: 'u', database: 'd', connMaxLifetime: 'soon' }), {
    name: 'StorageError',
    message: 'database.connMaxLifetime: not a duration: "soon"',
  });
});
