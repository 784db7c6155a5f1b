import t from 'tap';
import { validateBlock } from '@thv/registry-core/host';
import plugin, { configSchema } from '../src/index.js';

function check(block: unknown): { path: string; message: string }[] {
  return validateBlock(configSchema, block, 'source.file').map(({ path, message }) => ({ path, message }));
}

t.test('the schema accepts a path or a url', async (t) => {
  t.equal(plugin.configSchema, configSchema);
  t.same(check({ path: './registry.json' }), []);
  t.same(check({ url: 'https://example.com/registry.json', timeout: '10s', maxBytes: 1024 }), []);
});

t.test('the schema words "exactly one of path or url"', async (t) => {
  const rule = 'exactly one of path or url must be set';
  t.same(check({ path: './registry.json', url: 'https://example.com/registry.json' }), [
    { path: 'source.file.url', message: `${rule} (got both)` },
  ]);
  t.same(check({}), [{ path: 'source.file', message: `${rule} (got neither)` }]);
  t.same(check({ maxBytes: 10 }), [{ path: 'source.file', message: `${rule} (got neither)` }]);
});

t.test('other problems keep their own messages', async (t) => {
  t.same(check({ url: 'ftp://example.com/r.json' }), [
    { path: 'source.file.url', message: 'must match pattern "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]"' },
  ]);
  t.same(check({ path: '', timeout: 'soon' }), [
    { path: 'source.file.path', message: 'must NOT have fewer than 1 characters' },
    { path: 'source.file.timeout', message: `must match pattern "${configSchema.properties.timeout.pattern}"` },
  ]);
  t.match(check({ path: 'r.json', pth: 'x' }), [{ path: 'source.file.pth', message: /did you mean "path"/ }]);
});
