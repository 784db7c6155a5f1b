import t from 'tap';
import { Catalog } from '../src/catalog/catalog.js';
import type { CatalogView } from '../src/interfaces/catalog.js';
import type { StoredEntry } from '../src/interfaces/model.js';
import { storedEntry, type EntryFields } from './helpers/generate-entries.js';

const NAME = 'io.github.acme/tool';

function viewOf(versions: Omit<EntryFields, 'name'>[]): CatalogView {
  const catalog = new Catalog(['main']);
  catalog.setRegistry('main', versions.map((fields): StoredEntry => storedEntry({ name: NAME, ...fields })));
  return catalog.aggregated();
}

const latestOf = (view: CatalogView): string | undefined => view.get(NAME, 'latest', false)?.version;
const newestFirst = (view: CatalogView, includeDeleted = false): string[] | undefined =>
  view.versions(NAME, includeDeleted)?.map((entry) => entry.version);

t.test('semver precedence, prerelease below its release', async (t) => {
  const view = viewOf([{ version: '1.0.0-rc.1' }, { version: '1.0.0' }, { version: '0.9.0' }]);
  t.equal(latestOf(view), '1.0.0');
  t.same(newestFirst(view), ['1.0.0', '1.0.0-rc.1', '0.9.0']);
});

t.test('semver compares numerically, not as text', async (t) => {
  const view = viewOf([{ version: '1.9.0' }, { version: '1.10.0' }, { version: '1.2.0' }]);
  t.equal(latestOf(view), '1.10.0');
  t.same(newestFirst(view), ['1.10.0', '1.9.0', '1.2.0']);
});

t.test('non-semver only: the later publishedAt wins, then the byte-greater version', async (t) => {
  const view = viewOf([
    { version: 'beta', publishedAt: '2025-03-01T00:00:00Z' },
    { version: 'alpha', publishedAt: '2025-05-01T00:00:00Z' },
    { version: 'gamma', publishedAt: '2025-03-01T00:00:00Z' },
  ]);
  t.equal(latestOf(view), 'alpha');
  t.same(newestFirst(view), ['alpha', 'gamma', 'beta']);
});

t.test('mixed: any semver beats any non-semver, whatever the dates', async (t) => {
  const view = viewOf([
    { version: 'nightly', publishedAt: '2026-01-01T00:00:00Z' },
    { version: '0.0.1', publishedAt: '2020-01-01T00:00:00Z' },
    { version: '2024.1', publishedAt: '2025-01-01T00:00:00Z' },
  ]);
  t.equal(latestOf(view), '0.0.1');
  t.same(newestFirst(view), ['0.0.1', 'nightly', '2024.1']);
});

t.test('a deleted newest version is skipped for latest and hidden unless asked', async (t) => {
  const view = viewOf([{ version: '2.0.0', status: 'deleted' }, { version: '1.0.0' }, { version: '1.5.0', status: 'deprecated' }]);
  t.equal(latestOf(view), '1.5.0');
  t.same(newestFirst(view), ['1.5.0', '1.0.0']);
  t.same(newestFirst(view, true), ['2.0.0', '1.5.0', '1.0.0']);
  t.equal(view.get(NAME, '2.0.0', false), undefined);
  t.equal(view.get(NAME, '2.0.0', true)?.isLatest, false);
  const flags = view.versions(NAME, true)?.map((entry) => entry.isLatest);
  t.same(flags, [false, true, false], 'exactly one isLatest');
});

t.test('a server whose versions are all deleted has no latest and no visible versions', async (t) => {
  const view = viewOf([{ version: '1.0.0', status: 'deleted' }]);
  t.equal(latestOf(view), undefined);
  t.equal(view.versions(NAME, false), undefined);
  t.same(newestFirst(view, true), ['1.0.0']);
  t.equal(view.serverCount, 0);
  t.equal(view.versionCount, 0);
});

t.test('isLatest is written into the served JSON', async (t) => {
  const view = viewOf([{ version: '1.0.0' }, { version: '1.1.0' }]);
  const meta = (version: string): unknown =>
    JSON.parse(view.get(NAME, version, false)?.json ?? '{}')._meta['io.modelcontextprotocol.registry/official'].isLatest;
  t.equal(meta('1.1.0'), true);
  t.equal(meta('1.0.0'), false);
});

t.test('unknown server or version', async (t) => {
  const view = viewOf([{ version: '1.0.0' }]);
  t.equal(view.get('io.github.other/x', 'latest', false), undefined);
  t.equal(view.get(NAME, '9.9.9', true), undefined);
  t.equal(view.versions('io.github.other/x', true), undefined);
});

t.test("an upstream's own latest flag wins over the rule; the rule decides without one", async (t) => {
  const flagged = (version: string, isLatest: boolean): StoredEntry => ({ ...storedEntry({ name: NAME, version }), isLatest });
  const catalog = new Catalog(['main']);
  catalog.setRegistry('main', [flagged('2.0.0', false), flagged('1.5.0', true), flagged('1.0.0', false)]);
  t.equal(latestOf(catalog.aggregated()), '1.5.0', 'the upstream chose 1.5.0');
  t.match(JSON.parse(catalog.aggregated().get(NAME, '2.0.0', false)?.json ?? '{}'), {
    _meta: { 'io.modelcontextprotocol.registry/official': { isLatest: false } },
  });

  catalog.setRegistry('main', [flagged('2.0.0', false), { ...flagged('1.5.0', true), status: 'deleted' }]);
  t.equal(latestOf(catalog.aggregated()), '2.0.0', 'a deleted flagged version falls back to the rule');
});
