import t from 'tap';
import { compileFilter, filterHash } from '../src/filter/filter.js';
import { globToRegExp } from '../src/filter/glob.js';
import type { FilterConfig } from '../src/interfaces/config.js';
import type { SourceEntry } from '../src/interfaces/model.js';
import { storedEntry } from './helpers/generate-entries.js';

function entry(name: string, tags?: readonly string[]): SourceEntry {
  return { server: storedEntry({ name, version: '1.0.0', ...(tags === undefined ? {} : { tags }) }).server };
}

const kept = (filter: FilterConfig | undefined, entries: SourceEntry[]): string[] =>
  entries.filter(compileFilter(filter)).map((e) => `${e.server.name}`);

t.test('globs: * crosses /, ? is one character, the rest is literal and anchored', async (t) => {
  const matches = (glob: string, name: string): boolean => globToRegExp(glob).test(name);
  t.ok(matches('io.github.*', 'io.github.acme/tool'));
  t.ok(matches('*/deprecated', 'io.github.acme/deprecated'));
  t.ok(matches('*', 'a/b/c'));
  t.ok(matches('*', ''));
  t.notOk(matches('io.github.*', 'xio.github.acme/tool'), 'anchored at the start');
  t.notOk(matches('*/deprecated', 'io.github.acme/deprecated-old'), 'anchored at the end');
  t.notOk(matches('io.github.*', 'ioXgithub.acme/tool'), 'dots are literal');
  t.ok(matches('io.github.acme/tool-?', 'io.github.acme/tool-1'));
  t.ok(matches('io.github.acme?tool', 'io.github.acme/tool'), '? matches a slash too');
  t.notOk(matches('io.github.acme/tool-?', 'io.github.acme/tool-12'));
  t.notOk(matches('io.github.acme/tool-?', 'io.github.acme/tool-'));
  t.ok(matches('x/caf?', 'x/café'));
  t.ok(matches('x/?', 'x/\u{1F680}'), '? is one code point');
  t.ok(matches('a+b(c)[d]{2}^$|\\', 'a+b(c)[d]{2}^$|\\'), 'regular expression characters are literal');
  t.notOk(matches('io.github.acme/tool', 'io.github.acme/TOOL'), 'case-sensitive');
});

t.test('name include and exclude', async (t) => {
  const entries = [entry('io.github.a/one'), entry('io.github.a/deprecated'), entry('com.example/two')];
  t.same(kept(undefined, entries), ['io.github.a/one', 'io.github.a/deprecated', 'com.example/two']);
  t.same(kept({}, entries).length, 3);
  t.same(kept({ names: { include: [] } }, entries).length, 3, 'an empty include does not restrict');
  t.same(kept({ names: { include: ['io.github.*'] } }, entries), ['io.github.a/one', 'io.github.a/deprecated']);
  t.same(kept({ names: { include: ['io.github.*'], exclude: ['*/deprecated'] } }, entries), ['io.github.a/one']);
  t.same(kept({ names: { exclude: ['*/deprecated', 'com.*'] } }, entries), ['io.github.a/one']);
  t.same(kept({ names: { include: ['com.*', 'io.github.a/one'] } }, entries), ['io.github.a/one', 'com.example/two']);
});

t.test('tag include and exclude', async (t) => {
  const entries = [
    entry('x/prod', ['production']),
    entry('x/prod-exp', ['production', 'experimental']),
    entry('x/exp', ['experimental']),
    entry('x/db', ['database']),
    entry('x/none'),
  ];
  t.same(kept({ tags: { include: ['production'] } }, entries), ['x/prod', 'x/prod-exp']);
  t.same(kept({ tags: { include: ['production', 'database'] } }, entries), ['x/prod', 'x/prod-exp', 'x/db']);
  t.same(kept({ tags: { exclude: ['experimental'] } }, entries), ['x/prod', 'x/db', 'x/none']);
  t.same(kept({ tags: { include: ['production'], exclude: ['experimental'] } }, entries), ['x/prod']);
  t.same(
    kept({ names: { exclude: ['x/db'] }, tags: { include: ['production', 'database'] } }, entries),
    ['x/prod', 'x/prod-exp'],
    'names and tags combine',
  );
});

t.test('filterHash is stable for equal filters and differs otherwise', async (t) => {
  const base: FilterConfig = { names: { include: ['io.github.*'], exclude: ['*/old'] }, tags: { include: ['production'] } };
  t.equal(filterHash(base), filterHash(base));
  t.equal(
    filterHash(base),
    filterHash({ tags: { include: ['production', 'production'] }, names: { exclude: ['*/old'], include: ['io.github.*'] } }),
    'key order and duplicates do not count',
  );
  t.equal(filterHash(undefined), filterHash({}));
  t.equal(filterHash({}), filterHash({ names: { include: [] }, tags: {} }));
  t.equal(
    filterHash({ names: { include: ['b', 'a'] } }),
    filterHash({ names: { include: ['a', 'b'] } }),
    'list order does not count',
  );
  t.match(filterHash(base), /^[0-9a-f]{64}$/);

  const different: FilterConfig[] = [
    {},
    { names: { include: ['io.github.*'] } },
    { names: { exclude: ['io.github.*'] } },
    { tags: { include: ['io.github.*'] } },
    { names: { include: ['io.github.*', '*/old'] } },
    { names: { include: ['io.github.*,*/old'] } },
  ];
  const hashes = new Set([base, ...different].map(filterHash));
  t.equal(hashes.size, different.length + 1);
});
