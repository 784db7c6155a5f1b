import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { EXAMPLES_DIR, runCli } from './helpers/cli.js';
import { copyExample, fileSourceConfig, writeConfig } from './helpers/fixtures.js';

const STACK = /\n\s+at .+:\d+:\d+/;

interface ValidateReport {
  valid: boolean;
  storage: string;
  registries: { name: string; source: string; ok: boolean; error?: string; servers?: number; versions?: number; filteredOut?: number; skipped?: unknown[] }[];
}

t.test('validate examples/config-multi.yaml: every registry with what it would serve', async (t) => {
  const result = await runCli(t, ['validate', '--config', join(EXAMPLES_DIR, 'config-multi.yaml')]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /storage fs, 2 registries/);
  // examples/README.md: toolhive keeps 6 of 12 entries (6 filtered out); upstream serves 6 versions of 3 servers.
  t.match(result.stdout, /registry toolhive \(file \S*registry\.json\): 6 servers, 6 versions would be served \(6 filtered out, 0 invalid\)/);
  t.match(result.stdout, /registry upstream \(file \S*upstream-registry\.json\): 3 servers, 6 versions would be served \(0 filtered out, 0 invalid\)/);
  t.notMatch(result.stdout, /FAILED/);
  t.equal(result.stderr, '', 'nothing on stderr');
});

t.test('validate --json prints the same report as JSON and writes nothing', async (t) => {
  const dir = t.testdir();
  await Promise.all([
    copyExample(dir, 'config-multi.yaml'),
    copyExample(dir, 'registry.json'),
    copyExample(dir, 'upstream-registry.json'),
  ]);
  const result = await runCli(t, ['validate', '--json', '--config', join(dir, 'config-multi.yaml')]);
  t.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as ValidateReport;
  t.match(report, {
    valid: true,
    storage: 'fs',
    registries: [
      { name: 'toolhive', ok: true, servers: 6, versions: 6, filteredOut: 6, skipped: [] },
      { name: 'upstream', ok: true, servers: 3, versions: 6, filteredOut: 0, skipped: [] },
    ],
  });
  t.equal(report.registries.length, 2);
  t.match(report.registries[0]?.source, join(dir, 'registry.json'), 'the source names the file, resolved next to the config');
  t.notOk(existsSync(join(dir, 'data')), 'validate serves and stores nothing: no data directory');
});

t.test('an unknown key: exit 2, the path named and the known key suggested', async (t) => {
  const dir = t.testdir({ 'registry.json': '{}' });
  const config = await writeConfig(dir, fileSourceConfig().replace('interval:', 'intervall:'));
  const result = await runCli(t, ['validate', '--config', config]);
  t.equal(result.code, 2);
  t.match(result.stderr, config, 'names the config file');
  t.match(result.stderr, 'syncPolicy.intervall', 'names the path of the key');
  t.match(result.stderr, /did you mean "interval"\?/, 'suggests the known key');
  t.notMatch(result.stderr, STACK);
  t.equal(result.stdout, '');
});

t.test('an unknown source type: exit 2 naming the packages tried', async (t) => {
  const dir = t.testdir();
  const config = await writeConfig(
    dir,
    ['registryName: example', 'source:', '  type: gti', '  gti:', '    repository: https://example.com/repo.git', ''].join('\n'),
  );
  const result = await runCli(t, ['validate', '--config', config]);
  t.equal(result.code, 2);
  t.match(result.stderr, 'source.type', 'names the path');
  t.match(result.stderr, '@thv/registry-source-gti', 'names the scoped package it tried');
  t.match(result.stderr, 'thv-registry-source-gti', 'names the unscoped package it tried');
  t.match(result.stderr, /npm install @thv\/registry-source-gti/, 'says what to install');
  t.match(result.stderr, /did you mean "git"\?/, 'suggests the built-in type');
  t.notMatch(result.stderr, STACK);
});

t.test('a missing registry file: exit 1 naming the file', async (t) => {
  const dir = t.testdir();
  const config = await writeConfig(dir, fileSourceConfig({ path: './missing.json' }));
  const result = await runCli(t, ['validate', '--config', config]);
  t.equal(result.code, 1);
  t.match(result.stdout, /registry example \(file .*missing\.json\): FAILED: registry file not found: .*missing\.json/);
  t.ok(`${result.stdout}${result.stderr}`.includes(join(dir, 'missing.json')), 'the absolute path of the file');
  t.notMatch(result.stderr, STACK);

  const json = await runCli(t, ['validate', '--json', '--config', config]);
  t.equal(json.code, 1, 'validate --json exits 1 too');
  t.match(JSON.parse(json.stdout) as ValidateReport, {
    valid: false,
    registries: [{ name: 'example', ok: false, error: /not found: .*missing\.json/ }],
  });
});

t.test('usage errors: exit 2', async (t) => {
  const missingFlag = await runCli(t, ['validate']);
  t.equal(missingFlag.code, 2, 'no --config');
  t.match(missingFlag.stderr, /config/);
  t.notMatch(missingFlag.stderr, STACK);

  const dir = t.testdir();
  const missingFile = await runCli(t, ['validate', '--config', join(dir, 'nope.yaml')]);
  t.equal(missingFile.code, 2, 'a config file that does not exist');
  t.match(missingFile.stderr, join(dir, 'nope.yaml'));
  t.notMatch(missingFile.stderr, STACK);
});
