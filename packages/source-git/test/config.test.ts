import t from 'tap';
import { ConfigError } from '@thv/registry-core';
import { validateBlock } from '@thv/registry-core/host';
import plugin, { configSchema, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT } from '../src/index.js';
import { createSource } from './context.js';

const sha = '0123456789abcdef0123456789abcdef01234567';

function check(block: unknown): { path: string; message: string }[] {
  return validateBlock(configSchema, block, 'source.git').map(({ path, message }) => ({ path, message }));
}

t.test('the schema accepts the documented blocks', async (t) => {
  const blocks = [
    { repository: 'https://github.com/org/registry.git', path: 'registry.json' },
    { repository: 'https://github.com/org/registry.git', branch: 'main', path: 'registry.json' },
    { repository: 'https://github.com/org/registry.git', tag: 'v1.0.0', path: 'registry.json', timeout: '30s' },
    { repository: './registry', commit: sha.toUpperCase(), path: 'data/registry.json', maxBytes: 1024 },
    {
      repository: 'https://git.example.com/private/registry.git',
      branch: 'main',
      path: 'registry.json',
      auth: { username: 'x-access-token', passwordFile: '/run/secrets/git-token' },
    },
  ];
  for (const block of blocks) t.same(check(block), [], JSON.stringify(block));
  t.equal(plugin.configSchema, configSchema);
  t.match(configSchema.properties.maxBytes, { default: DEFAULT_MAX_BYTES });
  t.match(configSchema.properties.timeout, { default: DEFAULT_TIMEOUT });
});

t.test('the schema refuses bad blocks, naming the key', async (t) => {
  t.match(check({ path: 'registry.json' }), [{ path: 'source.git.repository', message: 'is required' }]);
  t.match(check({ repository: 'x' }), [{ path: 'source.git.path', message: 'is required' }]);
  t.match(check({ repository: 'x', path: 'r.json', branch: 'main', tag: 'v1' }), [{ path: 'source.git.tag' }]);
  t.match(check({ repository: 'x', path: 'r.json', branch: 'main', commit: sha }), [{ path: 'source.git.commit' }]);
  t.match(check({ repository: 'x', path: 'r.json', tag: 'v1', commit: sha }), [{ path: 'source.git.commit' }]);
  t.match(check({ repository: 'x', path: 'r.json', commit: 'abc1234' }), [{ path: 'source.git.commit', message: /pattern/ }]);
  t.match(check({ repository: 'x', path: 'r.json', timeout: 'soon' }), [{ path: 'source.git.timeout' }]);
  t.match(check({ repository: 'x', path: 'r.json', maxBytes: 0 }), [{ path: 'source.git.maxBytes' }]);
  t.match(check({ repository: 'x', path: 'r.json', brnch: 'main' }), [{ path: 'source.git.brnch', message: /branch/ }]);
  t.match(check({ repository: 'x', path: 'r.json', auth: { username: 'u' } }), [
    { path: 'source.git.auth.passwordFile', message: 'is required' },
  ]);
  t.match(check({ repository: 'x', path: 'r.json', auth: { username: 'u', passwordFile: 'p', password: 'secret' } }), [
    { path: 'source.git.auth.password' },
  ]);
});

t.test('the schema words the rule on branch, tag and commit at the extra key', async (t) => {
  const rule = 'at most one of branch, tag or commit may be set';
  t.same(check({ repository: 'x', path: 'r.json', branch: 'main', tag: 'v1' }), [
    { path: 'source.git.tag', message: `${rule} (got branch and tag)` },
  ]);
  t.same(check({ repository: 'x', path: 'r.json', branch: 'main', commit: sha }), [
    { path: 'source.git.commit', message: `${rule} (got branch and commit)` },
  ]);
  t.same(check({ repository: 'x', path: 'r.json', tag: 'v1', commit: sha }), [
    { path: 'source.git.commit', message: `${rule} (got tag and commit)` },
  ]);
  t.same(check({ repository: 'x', path: 'r.json', branch: 'main', tag: 'v1', commit: sha }), [
    { path: 'source.git.tag', message: `${rule} (got branch and tag)` },
    { path: 'source.git.commit', message: `${rule} (got branch and commit)` },
    { path: 'source.git.commit', message: `${rule} (got tag and commit)` },
  ]);
  // Other problems with the same keys keep their own messages.
  t.same(check({ repository: 'x', path: 'r.json', branch: 'main', tag: '' }), [
    { path: 'source.git.tag', message: `${rule} (got branch and tag)` },
    { path: 'source.git.tag', message: 'must NOT have fewer than 1 characters' },
  ]);
});

t.test('create refuses what it cannot use', async (t) => {
  const dir = t.testdir({});
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ repository: 'git@github.com:org/registry.git' }, /uses ssh, which is not supported: use an https:\/\/ URL/],
    [{ repository: 'ssh://git@github.com/org/registry.git' }, /uses ssh, which is not supported/],
    [{ repository: 'ftp://example.com/registry.git' }, /uses ftp, which is not supported/],
    [{ repository: 'https://' }, /not a valid URL/],
    [{ repository: 'https://example.com/r.git', path: '../outside.json' }, /path "\.\.\/outside\.json" must name a file inside/],
    [{ repository: 'https://example.com/r.git', path: '/' }, /must name a file inside the repository/],
    [
      { repository: 'https://example.com/r.git', branch: 'main', commit: sha },
      /at most one of branch, tag or commit \(got branch and commit\)/,
    ],
    [{ repository: 'https://example.com/r.git', commit: 'abc' }, /full 40-character hexadecimal sha/],
    [{ repository: 'https://example.com/r.git', timeout: 'soon' }, /timeout "soon" is not a duration/],
  ];
  for (const [config, message] of refused) {
    await t.rejects(createSource({ path: 'registry.json', ...config }, dir), ConfigError, JSON.stringify(config));
    await t.rejects(createSource({ path: 'registry.json', ...config }, dir), { message }, JSON.stringify(config));
  }
});

t.test('describe: repository without credentials, ref, path', async (t) => {
  const dir = t.testdir({});
  const repo = 'https://example.com/org/r.git';
  const cases: [Record<string, unknown>, string][] = [
    [{ repository: 'https://user:hunter2@example.com/org/r.git/', path: './registry.json' }, `git ${repo} HEAD registry.json`],
    [{ repository: repo, branch: 'refs/heads/release', path: 'a/b.json' }, `git ${repo} release a/b.json`],
    [{ repository: repo, tag: 'v2.0.0', path: '/registry.json' }, `git ${repo} v2.0.0 registry.json`],
    [{ repository: repo, commit: sha.toUpperCase(), path: 'registry.json' }, `git ${repo} ${sha} registry.json`],
  ];
  for (const [config, expected] of cases) {
    const source = await createSource(config, dir);
    t.equal(source.describe(), expected);
    t.notMatch(source.describe(), 'hunter2');
  }
});
