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

t.test('THV_DATA_DIR names the data directory of a config without dataDir', async (t) => {
  const dir = t.testdir({
    etc: {
      'plain.yaml': 'source: { type: file }\n',
      'explicit.yaml': 'source: { type: file }\ndataDir: ./state\n',
    },
    volume: {},
  });
  const plain = join(dir, 'etc', 'plain.yaml');
  const explicit = join(dir, 'etc', 'explicit.yaml');
  const env = { THV_DATA_DIR: join(dir, 'volume') };

  t.equal((await loadConfig(plain, { env })).dataDir, join(dir, 'volume'), 'the variable replaces ./data');
  t.equal((await loadConfig(explicit, { env })).dataDir, join(dir, 'etc', 'state'), 'an explicit dataDir wins');
  t.equal((await loadConfig(plain, { env: { THV_DATA_DIR: '' } })).dataDir, join(dir, 'etc', 'data'), 'empty is unset');
  t.equal((await loadConfig(plain, { env: {} })).dataDir, join(dir, 'etc', 'data'), 'unset: ./data next to the file');

  const previous = process.env['THV_DATA_DIR'];
  process.env['THV_DATA_DIR'] = join(dir, 'volume');
  t.teardown(() => {
    if (previous === undefined) delete process.env['THV_DATA_DIR'];
    else process.env['THV_DATA_DIR'] = previous;
  });
  t.equal((await loadConfig(plain)).dataDir, join(dir, 'etc', 'data'), 'without options the process environment is not read');
});

t.test('a relative THV_DATA_DIR is resolved against the working directory', async (t) => {
  const dir = t.testdir({ etc: { 'config.yaml': 'source: { type: file }\n' }, work: {} });
  const cwd = process.cwd();
  process.chdir(join(dir, 'work'));
  t.teardown(() => process.chdir(cwd));
  const config = await loadConfig(join(dir, 'etc', 'config.yaml'), { env: { THV_DATA_DIR: 'state' } });
  t.equal(config.dataDir, join(dir, 'work', 'state'));
});
