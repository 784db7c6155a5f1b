import t from 'tap';
import { ConfigError, type ErrorDetail } from '../src/errors.js';
import { parseConfig } from '../src/config/parse-config.js';

const CONFIG_PATH = '/etc/thv/config.yaml';

/** The details of the ConfigError that parsing `text` throws. */
function problemsOf(text: string): readonly ErrorDetail[] {
  try {
    parseConfig(text, CONFIG_PATH);
  } catch (error) {
    if (error instanceof ConfigError) return error.errors;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const GIT_SOURCE = `
source:
  type: git
  git: { repository: https://example.com/r.git, branch: main, path: registry.json }
`;

t.test('the single-registry form of the original server, as written', async (t) => {
  const config = parseConfig(
    `
registryName: my-registry
source:
  type: git
  format: toolhive
  git:
    repository: https://github.com/stacklok/toolhive.git
    branch: main
    path: pkg/registry/data/registry.json
syncPolicy:
  interval: 1h30m
filter:
  names: { include: ["io.github.*"], exclude: ["*/deprecated"] }
  tags: { include: [production], exclude: [experimental] }
`,
    CONFIG_PATH,
  );
  t.equal(config.registries.length, 1);
  t.same(config.registries[0], {
    name: 'my-registry',
    path: '',
    source: {
      type: 'git',
      format: 'toolhive',
      options: {
        repository: 'https://github.com/stacklok/toolhive.git',
        branch: 'main',
        path: 'pkg/registry/data/registry.json',
      },
      optionsPath: 'source.git',
    },
    syncPolicy: { interval: '1h30m', intervalMs: 5_400_000, timeout: '10m', timeoutMs: 600_000 },
    filter: {
      names: { include: ['io.github.*'], exclude: ['*/deprecated'] },
      tags: { include: ['production'], exclude: ['experimental'] },
    },
  });
});

t.test('defaults', async (t) => {
  const config = parseConfig(`source: { type: file }`, CONFIG_PATH);
  t.equal(config.configPath, CONFIG_PATH);
  t.equal(config.configDir, '/etc/thv');
  t.equal(config.dataDir, '/etc/thv/data');
  t.same(config.registries[0], {
    name: 'default',
    path: '',
    source: { type: 'file', options: {}, optionsPath: 'source.file' },
    syncPolicy: { interval: '30m', intervalMs: 1_800_000, timeout: '10m', timeoutMs: 600_000 },
  });
  t.same(config.storage, { type: 'fs', options: {}, optionsPath: 'storage' });
  t.equal(config.database, undefined);
  t.same(config.server, { address: ':8080', host: '0.0.0.0', port: 8080, waitForDatabase: true });
});

t.test('the multi-registry form keeps order, paths and third-party types', async (t) => {
  const config = parseConfig(
    `
registries:
  - name: upstream
    source:
      type: api
      format: upstream
      api: { endpoint: https://registry.modelcontextprotocol.io }
    syncPolicy: { interval: 90s }
  - name: internal
    source:
      type: k8s
      plugin: ./plugins/k8s-source.js
      k8s: { namespace: mcp }
    filter:
      tags: { exclude: [experimental] }
  - name: vendor
    source: { type: vendor, plugin: "@acme/thv-source-vendor" }
`,
    CONFIG_PATH,
  );
  t.same(
    config.registries.map((r) => [r.name, r.path, r.source.type, r.source.optionsPath, r.syncPolicy.intervalMs]),
    [
      ['upstream', 'registries[0]', 'api', 'registries[0].source.api', 90_000],
      ['internal', 'registries[1]', 'k8s', 'registries[1].source.k8s', 1_800_000],
      ['vendor', 'registries[2]', 'vendor', 'registries[2].source.vendor', 1_800_000],
    ],
  );
  t.same(config.registries[1]?.source.options, { namespace: 'mcp' });
  t.equal(config.registries[1]?.source.plugin, '/etc/thv/plugins/k8s-source.js');
  t.equal(config.registries[2]?.source.plugin, '@acme/thv-source-vendor');
  t.same(config.registries[1]?.filter, { tags: { exclude: ['experimental'] } });
});

t.test('relative paths resolve against the config directory, absolute ones are kept', async (t) => {
  const config = parseConfig(
    `
dataDir: ../var/thv
source: { type: file, file: { path: ./registry.json } }
database:
  host: db
  port: 5432
  user: thv
  database: registry
  passwordFile: secrets/db-password
  migrationPasswordFile: /run/secrets/migration-password
storage: { type: pg, plugin: ../plugins/pg.js }
`,
    CONFIG_PATH,
  );
  t.equal(config.dataDir, '/etc/var/thv');
  t.equal(config.database?.passwordFile, '/etc/thv/secrets/db-password');
  t.equal(config.database?.migrationPasswordFile, '/run/secrets/migration-password');
  t.equal(config.storage.plugin, '/etc/plugins/pg.js');
  // The plugin's own block is passed on untouched: the plugin resolves its paths.
  t.same(config.registries[0]?.source.options, { path: './registry.json' });
});

t.test('a database block selects pg storage and gets its defaults', async (t) => {
  const text = `${GIT_SOURCE}database: { host: db, port: 5432, user: thv, database: registry }\n`;
  const config = parseConfig(text, CONFIG_PATH);
  const database = {
    host: 'db',
    port: 5432,
    user: 'thv',
    database: 'registry',
    migrationUser: 'thv',
    sslMode: 'require',
    maxOpenConns: 25,
    maxIdleConns: 5,
    connMaxLifetime: '5m',
    connMaxLifetimeMs: 300_000,
    connectTimeout: '5s',
    connectTimeoutMs: 5_000,
    statementTimeout: '10s',
    statementTimeoutMs: 10_000,
  };
  t.same(config.database, database);
  t.same(config.storage, { type: 'pg', options: database, optionsPath: 'database' });
});

t.test('a small pool given without an idle size is not an error', async (t) => {
  const config = parseConfig(
    `${GIT_SOURCE}\ndatabase: { host: db, port: 5432, user: thv, database: r, maxOpenConns: 2, sslMode: disable }\n`,
    CONFIG_PATH,
  );
  t.equal(config.database?.maxIdleConns, 2);
  t.equal(config.database?.sslMode, 'disable');
});

t.test('storage without a database: its other keys are the plugin options', async (t) => {
  const config = parseConfig(`${GIT_SOURCE}\nstorage: { type: fs, path: ./snapshots }\n`, CONFIG_PATH);
  t.same(config.storage, { type: 'fs', options: { path: './snapshots' }, optionsPath: 'storage' });
  const untyped = parseConfig(`${GIT_SOURCE}\nstorage: { path: ./snapshots }\n`, CONFIG_PATH);
  t.same(untyped.storage, { type: 'fs', options: { path: './snapshots' }, optionsPath: 'storage' }, 'type defaults to fs');
});

t.test('server addresses', async (t) => {
  const config = parseConfig(`${GIT_SOURCE}\nserver: { address: "127.0.0.1:9090" }\n`, CONFIG_PATH);
  t.same(config.server, { address: '127.0.0.1:9090', host: '127.0.0.1', port: 9090, waitForDatabase: true });
  const failFast = parseConfig(`${GIT_SOURCE}\nserver: { waitForDatabase: false }\n`, CONFIG_PATH);
  t.same(failFast.server, { address: ':8080', host: '0.0.0.0', port: 8080, waitForDatabase: false });
});

t.test('the result is deeply frozen', async (t) => {
  const config = parseConfig(GIT_SOURCE, CONFIG_PATH);
  t.ok(Object.isFrozen(config));
  t.ok(Object.isFrozen(config.registries));
  t.ok(Object.isFrozen(config.registries[0]?.source.options));
  t.throws(() => {
    (config.server as { port: number }).port = 1;
  }, TypeError);
});

const badConfigs: { name: string; text: string; errors: ErrorDetail[] }[] = [
  {
    name: 'unknown top-level key, with a suggestion',
    text: `registyName: x\n${GIT_SOURCE}`,
    errors: [{ path: 'registyName', message: 'unknown key "registyName" (did you mean "registryName"?)' }],
  },
  {
    name: 'unknown key in source, with a suggestion',
    text: `source: { type: git, formt: upstream, git: {} }`,
    errors: [{ path: 'source.formt', message: 'unknown key "formt" (did you mean "format"?)' }],
  },
  {
    name: 'a typo of the block name for the type',
    text: `source: { type: git, gti: {} }`,
    errors: [{ path: 'source.gti', message: 'unknown key "gti" (did you mean "git"?)' }],
  },
  {
    name: 'the block of another type',
    text: `source: { type: git, file: { path: ./r.json } }`,
    errors: [{ path: 'source.file', message: 'source.file is given but source.type is "git"' }],
  },
  {
    name: 'a type block that is not a mapping',
    text: `source: { type: git, git: main }`,
    errors: [{ path: 'source.git', message: 'must be object' }],
  },
  {
    name: 'unknown key in database, with a suggestion',
    text: `${GIT_SOURCE}database: { hots: db, host: db, port: 5432, user: u, database: d }\n`,
    errors: [{ path: 'database.hots', message: 'unknown key "hots" (did you mean "host"?)' }],
  },
  {
    name: 'an inline password is refused without echoing it',
    text: `${GIT_SOURCE}database: { host: db, port: 5432, user: u, database: d, password: hunter2 }\n`,
    errors: [{ path: 'database.password', message: 'unknown key "password" (did you mean "passwordFile"?)' }],
  },
  {
    name: 'missing source.type',
    text: `source: { git: {} }`,
    errors: [{ path: 'source.type', message: 'is required' }],
  },
  {
    name: 'bad format',
    text: `source: { type: git, format: legacy }`,
    errors: [{ path: 'source.format', message: 'must be one of "toolhive", "upstream"' }],
  },
  {
    name: 'bad duration',
    text: `${GIT_SOURCE}syncPolicy: { interval: 30 minutes }\n`,
    errors: [{ path: 'syncPolicy.interval', message: '"30 minutes" is not a duration (use e.g. 90s, 30m, 1h30m)' }],
  },
  {
    name: 'interval below the minimum',
    text: `registries: [{ name: a, source: { type: git }, syncPolicy: { interval: 500ms } }]`,
    errors: [{ path: 'registries[0].syncPolicy.interval', message: 'must be at least 1s (got "500ms")' }],
  },
  {
    name: 'a number where a duration is expected',
    text: `${GIT_SOURCE}syncPolicy: { interval: 30 }\n`,
    errors: [{ path: 'syncPolicy.interval', message: 'must be string' }],
  },
  {
    name: 'duplicate registry names',
    text: `
registries:
  - { name: a, source: { type: git } }
  - { name: b, source: { type: git } }
  - { name: a, source: { type: file } }
`,
    errors: [{ path: 'registries[2].name', message: 'duplicate registry name "a" (also at registries[0].name)' }],
  },
  {
    name: 'an empty registry name',
    text: `registries: [{ name: "", source: { type: git } }]`,
    errors: [{ path: 'registries[0].name', message: 'must NOT have fewer than 1 characters' }],
  },
  {
    name: 'mixed forms',
    text: `${GIT_SOURCE}registries: [{ name: a, source: { type: git } }]\n`,
    errors: [{ path: 'source', message: 'cannot be combined with registries: move it into an entry of registries' }],
  },
  {
    name: 'a registry name beside registries',
    text: `registryName: main\nregistries: [{ name: a, source: { type: git } }]\n`,
    errors: [
      { path: 'registryName', message: 'cannot be combined with registries: give each entry of registries a name' },
    ],
  },
  {
    name: 'no registry at all',
    text: `server: { address: ":80" }`,
    errors: [{ path: 'source', message: 'is required (or registries, to serve several registries)' }],
  },
  {
    name: 'an empty registries list',
    text: `registries: []`,
    errors: [{ path: 'registries', message: 'must NOT have fewer than 1 items' }],
  },
  {
    name: 'a bad entry in a registries list, with its index',
    text: `registries: [{ name: a, source: { type: git } }, { name: b, source: { type: 7 } }]`,
    errors: [{ path: 'registries[1].source.type', message: 'must be string' }],
  },
  {
    name: 'an empty filter pattern',
    text: `${GIT_SOURCE}filter: { names: { include: ["io.github.*", ""] } }\n`,
    errors: [{ path: 'filter.names.include[1]', message: 'must NOT have fewer than 1 characters' }],
  },
  {
    name: 'bad sslMode',
    text: `${GIT_SOURCE}database: { host: db, port: 5432, user: u, database: d, sslMode: prefer }\n`,
    errors: [{ path: 'database.sslMode', message: 'must be one of "disable", "require", "verify-ca", "verify-full"' }],
  },
  {
    name: 'bad database port',
    text: `${GIT_SOURCE}database: { host: db, port: 70000, user: u, database: d }\n`,
    errors: [{ path: 'database.port', message: 'must be <= 65535' }],
  },
  {
    name: 'missing database fields',
    text: `${GIT_SOURCE}database: { host: db }\n`,
    errors: [
      { path: 'database.port', message: 'is required' },
      { path: 'database.user', message: 'is required' },
      { path: 'database.database', message: 'is required' },
    ],
  },
  {
    name: 'maxIdleConns above maxOpenConns',
    text: `${GIT_SOURCE}database: { host: db, port: 5432, user: u, database: d, maxOpenConns: 4, maxIdleConns: 10 }\n`,
    errors: [{ path: 'database.maxIdleConns', message: 'must be at most maxOpenConns (4)' }],
  },
  {
    name: 'bad connMaxLifetime',
    text: `${GIT_SOURCE}database: { host: db, port: 5432, user: u, database: d, connMaxLifetime: forever }\n`,
    errors: [{ path: 'database.connMaxLifetime', message: '"forever" is not a duration (use e.g. 90s, 30m, 1h30m)' }],
  },
  {
    name: 'storage other than pg beside a database',
    text: `${GIT_SOURCE}database: { host: db, port: 5432, user: u, database: d }\nstorage: { type: fs }\n`,
    errors: [{ path: 'storage.type', message: 'must be "pg" when a database block is given (got "fs")' }],
  },
  {
    name: 'storage settings beside a database',
    text: `${GIT_SOURCE}database: { host: db, port: 5432, user: u, database: d }\nstorage: { type: pg, schema: x }\n`,
    errors: [
      {
        path: 'storage.schema',
        message: 'unknown key "schema": with a database block, PostgreSQL settings belong under database',
      },
    ],
  },
  {
    name: 'pg storage without a database',
    text: `${GIT_SOURCE}storage: { type: pg }\n`,
    errors: [{ path: 'storage.type', message: '"pg" needs a database block with the connection' }],
  },
  {
    name: 'storage with an empty type',
    text: `${GIT_SOURCE}storage: { type: "", path: ./data }\n`,
    errors: [{ path: 'storage.type', message: 'must NOT have fewer than 1 characters' }],
  },
  {
    name: 'bad server address',
    text: `${GIT_SOURCE}server: { address: "localhost" }\n`,
    errors: [
      {
        path: 'server.address',
        message: 'must be host:port, :port or [ipv6]:port with a port from 0 to 65535 (got "localhost")',
      },
    ],
  },
  {
    name: 'a file that is not a mapping',
    text: `- source: { type: git }`,
    errors: [{ path: '', message: 'must be object' }],
  },
  {
    name: 'an empty file',
    text: `# nothing here\n`,
    errors: [{ path: '', message: 'the file is empty' }],
  },
  {
    name: 'every problem of a kind is reported at once',
    text: `
registries:
  - { name: a, source: { type: git }, syncPolicy: { interval: x } }
  - { name: a, source: { type: git } }
`,
    errors: [
      { path: 'registries[1].name', message: 'duplicate registry name "a" (also at registries[0].name)' },
      { path: 'registries[0].syncPolicy.interval', message: '"x" is not a duration (use e.g. 90s, 30m, 1h30m)' },
    ],
  },
];

for (const { name, text, errors } of badConfigs) {
  t.test(`bad config: ${name}`, async (t) => {
    t.same(problemsOf(text), errors);
  });
}

t.test('YAML syntax errors name the line and column', async (t) => {
  const text = 'source:\n  type: git\n  git: [main\nserver: {}\n';
  t.throws(() => parseConfig(text, CONFIG_PATH), {
    name: 'ConfigError',
    code: 'THV_ERR_CONFIG',
    message: /^invalid configuration in \/etc\/thv\/config\.yaml: YAML syntax error at line 4, column 1: /,
  });
  t.match(problemsOf(text), [{ path: '', message: /^YAML syntax error at line 4, column 1: / }]);
});

t.test('duplicate YAML keys are syntax errors', async (t) => {
  t.match(problemsOf(`${GIT_SOURCE}server: {}\nserver: {}\n`), [
    { path: '', message: /^YAML syntax error at line 6, column 1: Map keys must be unique/ },
  ]);
});

t.test('the message is a one-line summary of the first problem and counts the rest', async (t) => {
  const mixed = `source: { type: git }\nregistries: [{ name: a, source: { type: git } }]\nfilter: {}\n`;
  t.throws(() => parseConfig(mixed, CONFIG_PATH), {
    message:
      'invalid configuration in /etc/thv/config.yaml: ' +
      'source: cannot be combined with registries: move it into an entry of registries (+1 more)',
  });
  t.throws(() => parseConfig(`source: { type: git, git: { branch: 1 } }\nsyncPolicy: { interval: 1 }`, CONFIG_PATH), {
    message: 'invalid configuration in /etc/thv/config.yaml: syncPolicy.interval: must be string',
  });
});

t.test('the environment supplies the data directory only when the file has none', async (t) => {
  const env = { THV_DATA_DIR: '/data', THV_OTHER: 'ignored' };
  t.equal(parseConfig(`source: { type: file }`, CONFIG_PATH, { env }).dataDir, '/data');
  t.equal(parseConfig(`registries: [{ name: a, source: { type: file } }]`, CONFIG_PATH, { env }).dataDir, '/data', 'in both forms');
  t.equal(parseConfig(`source: { type: file }\ndataDir: /var/lib/thv`, CONFIG_PATH, { env }).dataDir, '/var/lib/thv');
  t.equal(parseConfig(`source: { type: file }\ndataDir: ./data`, CONFIG_PATH, { env }).dataDir, '/etc/thv/data', 'even when it restates the default');
  t.equal(parseConfig(`source: { type: file }`, CONFIG_PATH, { env: { THV_OTHER: '/x' } }).dataDir, '/etc/thv/data');
  const config = parseConfig(`source: { type: file }\nstorage: { type: fs, path: ./snapshots }`, CONFIG_PATH, { env });
  t.equal(config.dataDir, '/data');
  t.same(config.storage.options, { path: './snapshots' }, 'storage.path is untouched: it still wins for fs');
});
