import { join } from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { copyExample, fileSourceConfig, readStatus, replaceFile, writeConfig } from './helpers/fixtures.js';

interface SyncReport {
  ok: boolean;
  registries: { registry: string; result: string; message?: string; servers?: number; versions?: number }[];
}

t.test('sync commits once, then reports unchanged; a failing source exits 1 and keeps the data', async (t) => {
  const dir = t.testdir();
  const registryFile = await copyExample(dir, 'registry.json');
  const config = await writeConfig(dir, fileSourceConfig({ extra: 'dataDir: ./state' }));
  const dataDir = join(dir, 'state');

  const first = await runCli(t, ['sync', '--config', config, '--json', '--log-level', 'warn']);
  t.equal(first.code, 0, first.stderr);
  t.match(JSON.parse(first.stdout) as SyncReport, { ok: true, registries: [{ result: 'committed', servers: 12, versions: 12 }] });
  t.match(await readStatus(dataDir, 'example'), { phase: 'Complete', versionCount: 12 });

  const second = await runCli(t, ['sync', '--config', config, '--log-level', 'warn']);
  t.equal(second.code, 0, second.stderr);
  t.match(second.stdout, /registry example: unchanged \(12 servers, 12 versions\)/);

  await replaceFile(registryFile, '{ not json');
  const failed = await runCli(t, ['sync', '--config', config, '--log-level', 'error']);
  t.equal(failed.code, 1);
  t.match(failed.stdout, /registry example: failed: .*registry\.json/);
  t.match(await readStatus(dataDir, 'example'), { phase: 'Failed', versionCount: 12, consecutiveFailures: 1 });
});

t.test('sync --registry syncs one registry; an unknown one is a usage error', async (t) => {
  const dir = t.testdir();
  await Promise.all(['config-multi.yaml', 'registry.json', 'upstream-registry.json'].map((name) => copyExample(dir, name)));
  const config = join(dir, 'config-multi.yaml');
  const one = await runCli(t, ['sync', '--config', config, '--registry', 'upstream', '--json', '--log-level', 'warn']);
  t.equal(one.code, 0, one.stderr);
  t.match(JSON.parse(one.stdout) as SyncReport, { ok: true, registries: [{ registry: 'upstream', result: 'committed', versions: 6 }] });
  t.equal((JSON.parse(one.stdout) as SyncReport).registries.length, 1);

  const unknown = await runCli(t, ['sync', '--config', config, '--registry', 'nope']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown registry "nope": the config has "toolhive", "upstream"/);
});

t.test('with --json an error is JSON on stdout and a line on stderr', async (t) => {
  const dir = t.testdir();
  await Promise.all(['config-multi.yaml', 'registry.json', 'upstream-registry.json'].map((name) => copyExample(dir, name)));
  const result = await runCli(t, ['sync', '--config', join(dir, 'config-multi.yaml'), '--registry', 'nope', '--json']);
  t.equal(result.code, 2);
  t.match(JSON.parse(result.stdout), { error: { code: 'THV_ERR_CONFIG', errors: [{ path: '--registry' }] } });
  t.match(result.stderr, /unknown registry "nope"/);
});
