import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { runCli, type CliResult } from './helpers/cli.js';
import { fileSourceConfig, writeConfig } from './helpers/fixtures.js';

// Usage errors of prime-db that are found before any database is involved.

const PASSWORD = 'Usage-Secret-3e7a1b90';

function assertNoPassword(t: Test, run: CliResult): void {
  t.notMatch(run.stdout, PASSWORD, 'password not on stdout');
  t.notMatch(run.stderr, PASSWORD, 'password not on stderr');
}

t.test('prime-db rejects bad usernames, and a storage without users, with exit 2', async (t) => {
  const dir = t.testdir();
  const config = await writeConfig(dir, fileSourceConfig());
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, PASSWORD);

  const long = await runCli(t, ['prime-db', '--config', config, 'u'.repeat(64), '--password-file', passwordFile]);
  t.equal(long.code, 2);
  t.match(long.stderr, 'invalid username: it is 64 bytes long, at most 63 are allowed');
  const multibyte = await runCli(t, ['prime-db', '--config', config, 'é'.repeat(32), '--password-file', passwordFile]);
  t.equal(multibyte.code, 2, '64 bytes in 32 characters');
  const empty = await runCli(t, ['prime-db', '--config', config, '', '--password-file', passwordFile]);
  t.equal(empty.code, 2);
  const control = await runCli(t, ['prime-db', '--config', config, 'bad\nname', '--password-file', passwordFile]);
  t.equal(control.code, 2);
  t.match(control.stderr, 'control characters');
  const missingArg = await runCli(t, ['prime-db', '--config', config, '--password-file', passwordFile]);
  t.equal(missingArg.code, 2);

  const fs = await runCli(t, ['prime-db', '--config', config, 'registry_app', '--password-file', passwordFile]);
  t.equal(fs.code, 2);
  t.match(fs.stderr, 'storage fs has no database users to prepare');
  for (const run of [long, multibyte, empty, control, missingArg, fs]) assertNoPassword(t, run);
});
