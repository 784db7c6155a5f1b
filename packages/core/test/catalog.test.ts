import t from 'tap';
import { Catalog } from '../src/catalog/catalog.js';
import { NotFoundError } from '../src/errors.js';
import { OFFICIAL_META_KEY } from '../src/interfaces/model.js';
import { generateEntries, storedEntry } from './helpers/generate-entries.js';

t.test('registries, hasData and unknown names', async (t) => {
  const catalog = new Catalog(['first', 'second']);
  t.same(catalog.registryNames(), ['first', 'second']);
  t.equal(catalog.hasData('first'), false);
  t.equal(catalog.registry('first')?.versionCount, 0, 'a configured registry without data is empty');
  t.equal(catalog.registry('nope'), undefined);
  catalog.setRegistry('first', []);
  t.equal(catalog.hasData('first'), true);
  t.equal(catalog.hasData('second'), false);
  t.throws(() => catalog.setRegistry('nope', []), NotFoundError);
});

t.test('aggregated view: the first registry wins a duplicate name and version', async (t) => {
  const catalog = new Catalog(['first', 'second']);
  // Set in reverse order: precedence comes from the configuration, not from timing.
  catalog.setRegistry('second', [
    storedEntry({ name: 'io.github.a/x', version: '1.0.0', description: 'from second' }),
    storedEntry({ name: 'io.github.a/x', version: '2.0.0', description: 'from second' }),
    storedEntry({ name: 'io.github.b/y', version: '1.0.0', description: 'from second' }),
  ]);
  catalog.setRegistry('first', [
    storedEntry({ name: 'io.github.a/x', version: '1.0.0', description: 'from first' }),
    storedEntry({ name: 'io.github.a/x', version: '1.0.0', description: 'duplicate in first' }),
  ]);
  const all = catalog.aggregated();
  const description = (name: string, version: string): string =>
    JSON.parse(all.get(name, version, false)?.json ?? '{}').server.description;
  t.equal(description('io.github.a/x', '1.0.0'), 'from first');
  t.equal(description('io.github.a/x', '2.0.0'), 'from second');
  t.equal(all.versionCount, 3);
  t.equal(all.serverCount, 2);
  t.equal(all.get('io.github.a/x', 'latest', false)?.version, '2.0.0', 'latest is recomputed over all registries');
  t.equal(all.get('io.github.a/x', '1.0.0', false)?.isLatest, false);
  const first = catalog.registry('first');
  t.equal(first?.versionCount, 1);
  t.equal(first?.get('io.github.a/x', '1.0.0', false)?.isLatest, true, 'latest within its own registry');
});

t.test('entry JSON has the official shape', async (t) => {
  const catalog = new Catalog(['main']);
  const entry = storedEntry({ name: 'io.github.a/x', version: '1.0.0', status: 'deprecated', statusMessage: 'use y' });
  catalog.setRegistry('main', [entry, storedEntry({ name: 'io.github.a/z', version: '1.0.0' })]);
  const served = catalog.aggregated().get('io.github.a/x', '1.0.0', false);
  t.same(JSON.parse(served?.json ?? ''), {
    server: entry.server,
    _meta: {
      [OFFICIAL_META_KEY]: {
        status: 'deprecated',
        statusMessage: 'use y',
        statusChangedAt: entry.statusChangedAt,
        publishedAt: entry.publishedAt,
        updatedAt: entry.updatedAt,
        isLatest: true,
      },
    },
  });
  t.notOk(catalog.aggregated().get('io.github.a/z', '1.0.0', false)?.json.includes('statusMessage'));
  t.equal(served?.updatedAtMs, Date.parse(entry.updatedAt));
  t.equal(served?.status, 'deprecated');
});

t.test('generation changes with content and only with content', async (t) => {
  const entries = generateEntries({ servers: 20, versionsPerServer: 2, seed: 3 });
  const catalog = new Catalog(['main', 'other']);
  const empty = catalog.aggregated().generation;
  catalog.setRegistry('main', entries);
  const filled = catalog.aggregated().generation;
  const mainGeneration = catalog.registry('main')?.generation;
  t.not(filled, empty);

  catalog.setRegistry('other', []);
  t.equal(catalog.aggregated().generation, filled, 'an empty registry adds nothing');
  catalog.setRegistry('main', [...entries].reverse());
  t.equal(catalog.aggregated().generation, filled, 'input order does not matter');

  const changed = entries.map((entry, i) => (i === 0 ? { ...entry, status: 'deprecated' as const } : entry));
  catalog.setRegistry('main', changed);
  t.not(catalog.aggregated().generation, filled);
  t.not(catalog.registry('main')?.generation, mainGeneration);
  t.equal(catalog.registry('other')?.generation, empty, 'other views keep theirs');
});

t.test('views are immutable snapshots', async (t) => {
  const catalog = new Catalog(['main']);
  catalog.setRegistry('main', [storedEntry({ name: 'io.github.a/x', version: '1.0.0' })]);
  const before = catalog.aggregated();
  catalog.setRegistry('main', []);
  t.equal(before.versionCount, 1);
  t.equal(catalog.aggregated().versionCount, 0);
});
