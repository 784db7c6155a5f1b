import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { createTestDatabase } from '../../storage-pg/test/helpers/test-database.js';
import { runCli } from './helpers/cli.js';
import { databaseBlock, fileSourceConfig, writeConfig } from './helpers/fixtures.js';

interface MigrationStatus {
  current: number;
  latest: number;
  migrations: { version: number; name: string; applied: boolean; appliedAt?: string }[];
}

/** A config whose `database:` block points at a fresh test database (as its admin, password in a file if needed). */
async function pgConfig(t: Test): Promise<string> {
  const db = await createTestDatabase(t);
  return writeConfig(t.testdir(), fileSourceConfig({ extra: databaseBlock(db.databaseConfig()) }));
}

async function status(t: Test, config: string): Promise<MigrationStatus> {
  const run = await runCli(t, ['migrate', 'status', '--config', config, '--json']);
  t.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as MigrationStatus;
}

t.test('migrate status, up, down and up again against PostgreSQL', async (t) => {
  const config = await pgConfig(t);

  const fresh = await status(t, config);
  t.equal(fresh.current, 0);
  t.ok(fresh.latest >= 1, 'there is at least one migration');
  t.equal(fresh.migrations.length > 0 && fresh.migrations.every((migration) => !migration.applied), true, 'all pending');
  const versions = fresh.migrations.map((migration) => migration.version);
  const latest = fresh.latest;
  const previous = versions.length > 1 ? (versions[versions.length - 2] as number) : 0;

  const text = await runCli(t, ['migrate', 'status', '--config', config]);
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, `schema at version 0, latest ${latest} (${versions.length} pending)`);
  t.match(text.stdout, /VERSION\s+NAME\s+STATE\s+APPLIED AT/);
  t.match(text.stdout, new RegExp(`\\n${latest}\\s+\\S+\\s+pending`));

  const up = await runCli(t, ['migrate', 'up', '--config', config]);
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, `applied migration${versions.length === 1 ? '' : 's'} ${versions.join(', ')} (schema now at ${latest})`);

  const again = await runCli(t, ['migrate', 'up', '--config', config, '--yes']);
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, `schema is up to date at ${latest}`);

  const applied = await status(t, config);
  t.equal(applied.current, latest);
  t.ok(applied.migrations.every((migration) => migration.applied && typeof migration.appliedAt === 'string'), 'all applied, with a time');
  t.ok(applied.migrations.every((migration) => !Number.isNaN(Date.parse(migration.appliedAt ?? ''))), 'appliedAt is a date');

  const refused = await runCli(t, ['migrate', 'down', '--config', config, '--num-steps', '1']);
  t.equal(refused.code, 2, 'no terminal and no --yes: refused');
  t.match(refused.stderr, /drops the tables and data/);
  t.match(refused.stderr, new RegExp(`undoing ${latest} \\(.*takes the schema from ${latest} to ${previous}`), 'names the version it would undo');
  t.match(refused.stderr, /stdin is not a terminal; pass --yes/);
  t.equal((await status(t, config)).current, latest, 'nothing undone');

  const tooMany = await runCli(t, ['migrate', 'down', '--config', config, '--num-steps', String(versions.length + 1), '--yes']);
  t.equal(tooMany.code, 2);
  t.match(tooMany.stderr, `--num-steps ${versions.length + 1} is more than the ${versions.length} applied migration`);
  t.equal((await status(t, config)).current, latest, 'nothing undone');

  const down = await runCli(t, ['migrate', 'down', '--config', config, '--num-steps', '1', '--yes']);
  t.equal(down.code, 0, down.stderr);
  t.match(down.stderr, /warning: undoing migrations drops the tables and data they created/);
  t.match(down.stdout, `undid migration ${latest} (schema now at ${previous})`);
  const undone = await status(t, config);
  t.equal(undone.current, previous);
  t.same(
    undone.migrations.filter((migration) => !migration.applied).map((migration) => migration.version),
    [latest],
    'only the newest is pending',
  );

  const reapplied = await runCli(t, ['migrate', 'up', '--config', config, '--json']);
  t.equal(reapplied.code, 0, reapplied.stderr);
  t.same(JSON.parse(reapplied.stdout), { from: previous, to: latest, applied: [latest] });

  const downJson = await runCli(t, ['migrate', 'down', '--config', config, '-n', '1', '-y', '--json']);
  t.equal(downJson.code, 0, downJson.stderr);
  t.same(JSON.parse(downJson.stdout), { from: latest, to: previous, undone: [latest] });
  t.match(downJson.stderr, /warning: undoing migrations/, 'the warning still goes to stderr with --json');
});

t.test('an unreachable database is a runtime failure (exit 1) without a stack trace', async (t) => {
  const dir = t.testdir();
  await writeFile(join(dir, 'password'), 'not-a-real-secret-4711');
  const extra = [
    'database:',
    '  host: 127.0.0.1',
    '  port: 1',
    '  user: nobody',
    '  database: nothing',
    '  sslMode: disable',
    '  passwordFile: ./password',
  ].join('\n');
  const config = await writeConfig(dir, fileSourceConfig({ extra }));
  const run = await runCli(t, ['migrate', 'up', '--config', config]);
  t.equal(run.code, 1, run.stderr);
  t.match(run.stderr, /cannot connect to PostgreSQL at 127\.0\.0\.1:1/);
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
  t.notMatch(run.stdout + run.stderr, 'not-a-real-secret-4711', 'no password');
});
