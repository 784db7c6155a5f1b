import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { ConfigError, PluginNotFoundError, type Logger } from '@thv/registry-core';
import {
  createRuntime,
  loadConfig,
  resolvePlugin,
  type RegistryRuntime,
} from '@thv/registry-core/host';
import { silentLogger } from '@thv/registry-core/testing';
import { serverJson } from './helpers.js';

/** The package directory: what `npm install thv-registry-source-dir` would unpack (its `files`). */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * A deployment directory: the config, its servers and the plugin installed in `node_modules` next
 * to it, as `npm install thv-registry-source-dir` there would leave it.
 */
async function deployment(t: Test, sourceBlock = 'source: { type: dir, dir: { path: ./servers } }'): Promise<string> {
  const dir = t.testdir({
    'config.yaml': ['registryName: dir-example', sourceBlock, 'syncPolicy: { interval: 1h }', ''].join('\n'),
    servers: {
      'translate.json': serverJson('translate', '3.4.0'),
      weather: { '1.0.0.json': serverJson('weather', '1.0.0'), '1.1.0.json': serverJson('weather', '1.1.0') },
      'broken.json': JSON.stringify({ name: 'io.github.example/broken', version: '1.0.0' }),
    },
  });
  const installed = join(dir, 'node_modules', 'thv-registry-source-dir');
  await cp(join(PACKAGE_DIR, 'package.json'), join(installed, 'package.json'));
  await cp(join(PACKAGE_DIR, 'dist'), join(installed, 'dist'), { recursive: true });
  return dir;
}

async function runtime(t: Test, dir: string): Promise<RegistryRuntime> {
  const config = await loadConfig(join(dir, 'config.yaml'));
  const created = await createRuntime(config, { logger: silentLogger() });
  t.teardown(() => created.close());
  await created.open();
  return created;
}

t.test('type: dir resolves to the package installed next to the config', async (t) => {
  const dir = await deployment(t);
  const config = await loadConfig(join(dir, 'config.yaml'));
  const resolved: Array<Record<string, unknown>> = [];
  const logger = { debug: (fields: Record<string, unknown>) => resolved.push(fields) } as unknown as Logger;
  const source = config.registries[0]?.source;
  if (source === undefined) throw new Error('no source in the config');
  const { plugin, from } = await resolvePlugin('source', source, { configDir: config.configDir }, logger);
  t.equal(from, 'thv-registry-source-dir', 'found by the unscoped name');
  t.equal(plugin.type, 'dir');
  t.match(resolved, [{ kind: 'source', type: 'dir', plugin: 'thv-registry-source-dir', entry: join(dir, 'node_modules', 'thv-registry-source-dir', 'dist', 'index.js') }]);
});

t.test('syncs the directory into the catalog through the runtime', async (t) => {
  const dir = await deployment(t);
  const app = await runtime(t, dir);
  t.equal(app.summaries()[0]?.source, `dir ${join(dir, 'servers')}`);

  const first = await app.coordinator.syncNow('dir-example');
  t.match(first, { result: 'committed', status: { phase: 'Complete', serverCount: 2, versionCount: 3, skipped: 1 } });
  t.match(first.status?.skippedEntries, [{ name: 'io.github.example/broken', reason: /description/ }]);
  t.equal(app.catalog.registry('dir-example')?.get('io.github.example/weather', 'latest', false)?.version, '1.1.0');

  t.equal((await app.coordinator.syncNow('dir-example')).result, 'unchanged', 'nothing changed');

  await writeFile(join(dir, 'servers', 'weather', '2.0.0.json'), serverJson('weather', '2.0.0'));
  t.match(await app.coordinator.syncNow('dir-example'), { result: 'committed', status: { versionCount: 4 } });
  t.equal(app.catalog.registry('dir-example')?.get('io.github.example/weather', 'latest', false)?.version, '2.0.0');

  await rm(join(dir, 'servers'), { recursive: true });
  const failed = await app.coordinator.syncNow('dir-example');
  t.match(failed, { result: 'failed', status: { phase: 'Failed', message: `server directory ${join(dir, 'servers')} not found` } });
  t.equal(app.catalog.registry('dir-example')?.versionCount, 4, 'the last good data is still served');
});

t.test('a misspelt type names the packages tried and the install command', async (t) => {
  const dir = await deployment(t, 'source: { type: dri, dri: { path: ./servers } }');
  const config = await loadConfig(join(dir, 'config.yaml'));
  const error = await createRuntime(config, { logger: silentLogger() }).catch((e: unknown) => e);
  t.type(error, PluginNotFoundError);
  t.match((error as Error).message, 'no source plugin found for type "dri" at source.type');
  t.match((error as Error).message, 'tried @thv/registry-source-dri, thv-registry-source-dri');
  t.match((error as Error).message, 'npm install @thv/registry-source-dri');
});

t.test('a bad block is a config error named by its path', async (t) => {
  const dir = await deployment(t, 'source: { type: dir, dir: { path: ./servers, onInvalidFile: ignore } }');
  const config = await loadConfig(join(dir, 'config.yaml'));
  const error = await createRuntime(config, { logger: silentLogger() }).catch((e: unknown) => e);
  t.type(error, ConfigError);
  t.match((error as ConfigError).errors, [{ path: 'source.dir.onInvalidFile', message: 'must be one of "fail", "skip"' }]);
});
