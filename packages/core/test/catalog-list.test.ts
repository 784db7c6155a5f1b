import t from 'tap';
import { compareKeys } from '../src/catalog/byte-order.js';
import { Catalog } from '../src/catalog/catalog.js';
import { InvalidParameterError } from '../src/errors.js';
import type { CatalogEntry, CatalogView, ListQuery } from '../src/interfaces/catalog.js';
import type { StoredEntry } from '../src/interfaces/model.js';
import { generateEntries, storedEntry } from './helpers/generate-entries.js';

const key = (entry: { name: string; version: string }): string => `${entry.name}@${entry.version}`;
const keyOf = (entry: StoredEntry): string => key(entry.server);
const byKey = (a: StoredEntry, b: StoredEntry): number =>
  compareKeys(a.server.name, a.server.version, b.server.name, b.server.version);

/**
 * Follows nextCursor from the first page to the last and returns every item in order. Throws when
 * a page other than the last is short or any page is too long.
 */
function walk(view: CatalogView, query: Omit<ListQuery, 'cursor'>): CatalogEntry[] {
  const items: CatalogEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = view.list({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    const full = page.items.length === query.limit;
    if (page.items.length > query.limit || (page.nextCursor !== undefined && !full)) {
      throw new Error(`page of ${page.items.length} rows for limit ${query.limit}`);
    }
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return items;
}

function viewOf(entries: readonly StoredEntry[]): CatalogView {
  const catalog = new Catalog(['main']);
  catalog.setRegistry('main', entries);
  return catalog.aggregated();
}

t.test('cursor walks over a generated catalog', async (t) => {
  const entries = generateEntries({ servers: 2000, versionsPerServer: 3, deletedEvery: 13, seed: 7 });
  const view = viewOf(entries);
  const sorted = [...entries].sort(byKey);
  const visible = sorted.filter((entry) => entry.status !== 'deleted').map(keyOf);
  t.equal(view.versionCount, visible.length);

  const latest = new Map<string, StoredEntry>();
  for (const entry of sorted) if (entry.status !== 'deleted') latest.set(entry.server.name, entry);
  const latestKeys = [...latest.values()].map(keyOf);
  t.equal(view.serverCount, latestKeys.length);

  for (const limit of [1, 7, 100]) {
    t.same(walk(view, { limit, includeDeleted: false }).map(key), visible, `visible, limit ${limit}`);
    t.same(walk(view, { limit, includeDeleted: true }).map(key), sorted.map(keyOf), `with deleted, limit ${limit}`);
    t.same(walk(view, { limit, includeDeleted: false, version: 'latest' }).map(key), latestKeys, `latest, limit ${limit}`);

    const needle = 'KUBE';
    const searched = sorted
      .filter((entry) => entry.status !== 'deleted')
      .filter((entry) => `${entry.server.name}\0${entry.server.title}\0${entry.server.description}`.toLowerCase().includes('kube'))
      .map(keyOf);
    t.ok(searched.length > 0);
    t.same(walk(view, { limit, includeDeleted: false, search: needle }).map(key), searched, `search, limit ${limit}`);

    const latestSearched = latestKeys.filter((k) => searched.includes(k));
    t.same(
      walk(view, { limit, includeDeleted: false, search: needle, version: 'latest' }).map(key),
      latestSearched,
      `search + latest, limit ${limit}`,
    );
  }
});

t.test('the walk stays correct when the catalog changes between pages', async (t) => {
  const catalog = new Catalog(['main']);
  const entries = ['a', 'b', 'c', 'd'].map((n) => storedEntry({ name: `io.github.x/${n}`, version: '1.0.0' }));
  catalog.setRegistry('main', entries);
  const first = catalog.aggregated().list({ limit: 2, includeDeleted: false });
  t.same(first.items.map((item) => item.name), ['io.github.x/a', 'io.github.x/b']);
  // b is removed and a new entry sorts before the cursor: neither shifts the next page.
  catalog.setRegistry('main', [entries[0]!, storedEntry({ name: 'io.github.x/0', version: '1.0.0' }), entries[2]!, entries[3]!]);
  const second = catalog.aggregated().list({ limit: 2, includeDeleted: false, cursor: first.nextCursor! });
  t.same(second.items.map((item) => item.name), ['io.github.x/c', 'io.github.x/d']);
  t.equal(second.nextCursor, undefined);
});

const SMALL = [
  storedEntry({ name: 'io.github.acme/alpha', version: '1.0.0', title: 'Weather Station', updatedAt: '2025-02-01T00:00:00Z' }),
  storedEntry({ name: 'io.github.acme/alpha', version: '1.1.0', title: 'Weather Station', updatedAt: '2025-03-01T00:00:00Z' }),
  storedEntry({ name: 'io.github.acme/beta', version: '1.0.0', description: 'Reads the WEATHER forecast', updatedAt: '2025-04-01T00:00:00Z' }),
  storedEntry({ name: 'io.github.acme/gamma', version: '1.0.0', description: 'Sends mail', status: 'deleted', updatedAt: '2025-05-01T00:00:00Z' }),
  storedEntry({ name: 'io.github.weather/delta', version: '2.0.0', description: 'Other', updatedAt: '2025-06-01T00:00:00Z' }),
];

const names = (view: CatalogView, query: Partial<ListQuery>): string[] =>
  view.list({ limit: 100, includeDeleted: false, ...query }).items.map(key);

t.test('search is a case-insensitive substring of name, title or description', async (t) => {
  const view = viewOf(SMALL);
  t.same(names(view, { search: 'wEaThEr' }), [
    'io.github.acme/alpha@1.0.0',
    'io.github.acme/alpha@1.1.0',
    'io.github.acme/beta@1.0.0',
    'io.github.weather/delta@2.0.0',
  ]);
  t.same(names(view, { search: 'station' }), ['io.github.acme/alpha@1.0.0', 'io.github.acme/alpha@1.1.0']);
  t.same(names(view, { search: 'mail' }), [], 'deleted entries are not searched by default');
  t.same(names(view, { search: 'mail', includeDeleted: true }), ['io.github.acme/gamma@1.0.0']);
  t.same(names(view, { search: 'nothing like it' }), []);
});

t.test('updatedSince is strictly greater', async (t) => {
  const view = viewOf(SMALL);
  t.same(names(view, { updatedSince: Date.parse('2025-03-01T00:00:00Z') }), [
    'io.github.acme/beta@1.0.0',
    'io.github.weather/delta@2.0.0',
  ]);
  t.same(names(view, { updatedSince: Date.parse('2025-03-01T00:00:00Z') - 1 }).length, 3);
});

t.test('version: exact or latest; includeDeleted', async (t) => {
  const view = viewOf(SMALL);
  t.same(names(view, { version: '1.0.0' }), ['io.github.acme/alpha@1.0.0', 'io.github.acme/beta@1.0.0']);
  t.same(names(view, { version: '1.0.0', includeDeleted: true }).length, 3);
  t.same(names(view, { version: 'latest' }), [
    'io.github.acme/alpha@1.1.0',
    'io.github.acme/beta@1.0.0',
    'io.github.weather/delta@2.0.0',
  ]);
  t.same(names(view, { includeDeleted: true }).length, 5);
  t.same(names(view, {}).length, 4);
});

t.test('nextCursor only when more rows match', async (t) => {
  const view = viewOf(SMALL);
  t.equal(view.list({ limit: 4, includeDeleted: false }).nextCursor, undefined, 'exactly fills the page');
  t.type(view.list({ limit: 3, includeDeleted: false }).nextCursor, 'string');
  // The deleted entry after the page does not count as a further row.
  const filtered = view.list({ limit: 3, includeDeleted: false, version: '1.0.0' });
  t.equal(filtered.items.length, 2);
  t.equal(filtered.nextCursor, undefined);
  const empty = viewOf([]).list({ limit: 10, includeDeleted: false });
  t.same(empty, { items: [] });
});

t.test('the cursor is URL-safe and opaque; a bad one is an InvalidParameterError naming cursor', async (t) => {
  const view = viewOf(SMALL);
  const cursor = view.list({ limit: 1, includeDeleted: false }).nextCursor ?? '';
  t.match(cursor, /^[A-Za-z0-9_-]+$/);
  const bad = ['not a cursor', '!!!', 'e30', Buffer.from('["only one"]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')];
  for (const value of bad) {
    t.throws(() => view.list({ limit: 1, includeDeleted: false, cursor: value }), InvalidParameterError, value);
    try {
      view.list({ limit: 1, includeDeleted: false, cursor: value });
    } catch (error) {
      t.match((error as InvalidParameterError).message, /cursor/);
      t.same((error as InvalidParameterError).errors.map((detail) => detail.path), ['cursor']);
    }
  }
  t.same(view.list({ limit: 1, includeDeleted: false, cursor: '' }).items.map(key), ['io.github.acme/alpha@1.0.0']);
});

t.test('a cursor between the versions of a listed server continues after its key', async (t) => {
  const view = viewOf([
    storedEntry({ name: 'io.github.x/a', version: '1.0.0' }),
    storedEntry({ name: 'io.github.x/a', version: '1.1.0' }),
    storedEntry({ name: 'io.github.x/a', version: '1.2.0', status: 'deleted' }),
    storedEntry({ name: 'io.github.x/b', version: '1.0.0' }),
  ]);
  const after = (name: string, version: string, query: Partial<ListQuery> = {}): string | undefined => {
    const cursor = Buffer.from(JSON.stringify([name, version])).toString('base64url');
    const [first] = view.list({ limit: 1, includeDeleted: false, cursor, ...query }).items;
    return first && key(first);
  };
  t.equal(after('io.github.x/a', '0.9.0'), 'io.github.x/a@1.0.0', 'before the first version');
  t.equal(after('io.github.x/a', '1.0.5'), 'io.github.x/a@1.1.0', 'a version no longer listed');
  t.equal(after('io.github.x/a', '1.1.0'), 'io.github.x/b@1.0.0', 'the last visible version');
  t.equal(after('io.github.x/a', '1.1.0', { includeDeleted: true }), 'io.github.x/a@1.2.0', 'with deleted');
  t.equal(after('io.github.x/a', '1.2.0'), 'io.github.x/b@1.0.0', 'a deleted version');
  t.equal(after('io.github.x/a', '1.0.0', { version: 'latest' }), 'io.github.x/a@1.1.0', 'latest');
  t.equal(after('io.github.x/a', '1.1.0', { version: 'latest' }), 'io.github.x/b@1.0.0', 'after the latest');
  t.equal(after('io.github.x/b', '9.0.0'), undefined, 'past the last server');
  t.equal(after('io.github.x/aa', '1.0.0'), 'io.github.x/b@1.0.0', 'a server not listed');
});

t.test('a cursor past the end gives an empty last page', async (t) => {
  const view = viewOf(SMALL);
  const cursor = Buffer.from(JSON.stringify(['zzz', '1'])).toString('base64url');
  t.same(view.list({ limit: 10, includeDeleted: false, cursor }), { items: [] });
});
