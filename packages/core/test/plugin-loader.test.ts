import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { PluginContractError, PluginLoadError, PluginNotFoundError } from '../src/errors.js';
import type { PluginSelection } from '../src/interfaces/config.js';
import { candidatePackages, resolvePlugin } from '../src/plugins/loader.js';
import { assertMethods } from '../src/plugins/instantiate.js';
import { pluginModule, pluginPackage } from './helpers/plugin-fixtures.js';

const logger = pino({ level: 'silent' });

function selection(type: string, plugin?: string): PluginSelection {
  return { type, options: {}, optionsPath: `registries[0].source.${type}`, ...(plugin === undefined ? {} : { plugin }) };
}

t.test('candidate names follow the resolution order', async (t) => {
  t.same(candidatePackages('source', 'git'), ['@thv/registry-source-git', 'thv-registry-source-git']);
  t.same(candidatePackages('source', 'dir'), ['@thv/registry-source-dir', 'thv-registry-source-dir']);
  t.same(candidatePackages('storage', 'fs'), ['@thv/registry-storage-fs', 'thv-registry-storage-fs']);
});

t.test('a scoped package next to the config wins over an unscoped one', async (t) => {
  const dir = t.testdir({
    node_modules: {
      '@thv': { 'registry-source-dir': pluginPackage('@thv/registry-source-dir', pluginModule({ type: 'dir', extra: 'export const which = "scoped";' })) },
      'thv-registry-source-dir': pluginPackage('thv-registry-source-dir', pluginModule({ type: 'dir' })),
    },
  });
  const resolved = await resolvePlugin('source', selection('dir'), { configDir: dir }, logger);
  t.equal(resolved.from, '@thv/registry-source-dir');
  t.equal(resolved.plugin.type, 'dir');
});

t.test('the unscoped name is found when there is no scoped package', async (t) => {
  const dir = t.testdir({
    node_modules: { 'thv-registry-source-dir': pluginPackage('thv-registry-source-dir', pluginModule({ type: 'dir' })) },
  });
  const resolved = await resolvePlugin('source', selection('dir'), { configDir: join(dir) }, logger);
  t.equal(resolved.from, 'thv-registry-source-dir');
});

t.test('packages are looked up in parent directories and in extra directories', async (t) => {
  const dir = t.testdir({
    config: { nested: {} },
    elsewhere: { node_modules: { 'thv-registry-source-nested': pluginPackage('thv-registry-source-nested', pluginModule({ type: 'nested' })) } },
  });
  await t.rejects(resolvePlugin('source', selection('nested'), { configDir: join(dir, 'config', 'nested') }), PluginNotFoundError);
  const resolved = await resolvePlugin('source', selection('nested'), {
    configDir: join(dir, 'config', 'nested'),
    extraDirs: [join(dir, 'elsewhere')],
  });
  t.equal(resolved.from, 'thv-registry-source-nested');
});

t.test('an explicit plugin path wins over the type lookup', async (t) => {
  const dir = t.testdir({ 'my-plugin.js': pluginModule({ type: 'dir' }) });
  const resolved = await resolvePlugin('source', selection('dir', join(dir, 'my-plugin.js')), { configDir: dir });
  t.equal(resolved.from, join(dir, 'my-plugin.js'));
});

t.test('a missing plugin names every package tried and the install command', async (t) => {
  const dir = t.testdir({});
  const error = await resolvePlugin('source', selection('gti'), { configDir: dir }).catch((e: unknown) => e);
  t.type(error, PluginNotFoundError);
  const message = (error as Error).message;
  t.match(message, 'no source plugin found for type "gti" at registries[0].source.type');
  t.match(message, '(did you mean "git"?)');
  t.match(message, 'tried @thv/registry-source-gti, thv-registry-source-gti');
  t.match(message, 'npm install @thv/registry-source-gti');
  t.same((error as PluginNotFoundError).errors[0]?.path, 'registries[0].source.type');
});

t.test('a plugin that fails to import is a load error with the cause, not "not found"', async (t) => {
  const dir = t.testdir({
    node_modules: {
      'thv-registry-source-broken': pluginPackage('thv-registry-source-broken', `import 'a-dependency-that-is-not-installed';\n${pluginModule({ type: 'broken' })}`),
    },
  });
  const error = await resolvePlugin('source', selection('broken'), { configDir: dir }).catch((e: unknown) => e);
  t.type(error, PluginLoadError);
  t.match((error as Error).message, /plugin thv-registry-source-broken failed to load: .*a-dependency-that-is-not-installed/);
});

t.test('contract checks: kind, type, API version, default export', async (t) => {
  const dir = t.testdir({
    node_modules: {
      'thv-registry-source-kind': pluginPackage('thv-registry-source-kind', pluginModule({ type: 'kind', kind: 'storage' })),
      'thv-registry-source-other': pluginPackage('thv-registry-source-other', pluginModule({ type: 'something-else' })),
      'thv-registry-source-old': pluginPackage('thv-registry-source-old', pluginModule({ type: 'old', apiVersion: 99 })),
      'thv-registry-source-bare': pluginPackage('thv-registry-source-bare', 'export const nothing = 1;'),
    },
  });
  const cases: Array<[string, RegExp]> = [
    ['kind', /is a storage plugin, but a source plugin is needed/],
    ['other', /serves type "something-else", but the config asks for type "other"/],
    ['old', /built for plugin API 99; this thv-registry supports 1/],
    ['bare', /has no default export/],
  ];
  for (const [type, message] of cases) {
    const error = await resolvePlugin('source', selection(type), { configDir: dir }).catch((e: unknown) => e);
    t.type(error, PluginContractError, type);
    t.match((error as Error).message, message, type);
  }
});

t.test('the shape check names the missing methods', async (t) => {
  t.throws(() => assertMethods({ fetch() {} }, ['fetch', 'describe'], 'source plugin x'), {
    message: 'source plugin x returned an object without describe',
  });
  t.doesNotThrow(() => assertMethods({ fetch() {}, describe() {} }, ['fetch', 'describe'], 'source plugin x'));
});
