import t from 'tap';
import { runCli } from './helpers/cli.js';
import { fileSourceConfig, writeConfig } from './helpers/fixtures.js';

// Usage errors of the migrate commands: none of them needs a database.

t.test('migrate down needs --num-steps of at least 1', async (t) => {
  const config = await writeConfig(t.testdir(), fileSourceConfig());
  const missing = await runCli(t, ['migrate', 'down', '--config', config, '--yes']);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /Missing required flag num-steps/);
  const zero = await runCli(t, ['migrate', 'down', '--config', config, '--num-steps', '0', '--yes']);
  t.equal(zero.code, 2);
  t.match(zero.stderr, /greater than or equal to 1/);
});

t.test('a storage without schema migrations is a usage error', async (t) => {
  const config = await writeConfig(t.testdir(), fileSourceConfig());
  for (const args of [['migrate', 'up'], ['migrate', 'status'], ['migrate', 'down', '--num-steps', '1', '--yes']]) {
    const run = await runCli(t, [...args, '--config', config]);
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr, 'error: storage fs has no schema migrations');
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
  const json = await runCli(t, ['migrate', 'status', '--config', config, '--json']);
  t.equal(json.code, 2);
  t.match(json.stderr, 'storage fs has no schema migrations', 'the reason is printed with --json too');
});
