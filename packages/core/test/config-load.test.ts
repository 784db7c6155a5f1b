import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../src/errors.js';
import { loadConfig } from '../src/config/load-config.js';

t.test('loads a file and resolves paths against its directory', async (t) => {
  const dir = t.testdir({
    etc: {
      'config.yaml': [
        'source:',
        '  type: file',
        '  file: { path: ./registry.json }',
        '  plugin: ./plugins/file.js',
        'dataDir: state',
        '',
      ].join('\n'),
    },
  });
  const config = await loadConfig(join(dir, 'etc', 'config.yaml'));
  t.equal(config.configPath, join(dir, 'etc', 'config.yaml'));
  t.equal(config.configDir, join(dir, 'etc'));
  t.equal(config.dataDir, join(dir, 'etc', 'state'));
  t.equal(config.registries[0]?.source.plugin, join(dir, 'etc', 'plugins', 'file.js'));
});

t.test('a relative config path is made absolute from the working directory', async (t) => {
  const dir = t.testdir({ 'config.yaml': 'source: { type: git }\n' });
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const config = await loadConfig('config.yaml');
  t.equal(config.configPath, join(dir, 'config.yaml'));
  t.equal(config.dataDir, join(dir, 'data'));
});

t.test('a missing file is a ConfigError naming the absolute path', async (t) => {
  const dir = t.testdir({});
  const path = join(dir, 'nope.yaml');
  await t.rejects(loadConfig(path), {
    constructor: ConfigError,
    message: `invalid configuration in ${path}: cannot read the file: no such file`,
    errors: [{ path: '', message: 'cannot read the file: no such file' }],
  });
});

t.test('a directory is not a config file', async (t) => {
  const dir = t.testdir({ 'config.yaml': {} });
  await t.rejects(loadConfig(join(dir, 'config.yaml')), {
    message: `invalid configuration in ${join(dir, 'config.yaml')}: cannot read the file: it is a directory`,
  });
});

t.test('problems in the file name the file', async (t) => {
  const dir = t.testdir({ 'config.yaml': 'source: { type: git }\nserver: { adress: ":80" }\n' });
  const path = join(dir, 'config.yaml');
  await t.rejects(loadConfig(path), {
    message: `invalid configuration in ${path}: server.adress: unknown key "adress" (did you mean "address"?)`,
  });
});
