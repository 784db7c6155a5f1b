import t from 'tap';
import type { SourceEntry } from '../src/interfaces/model.js';
import { buildSnapshot } from '../src/sync/snapshot.js';

function entry(name: string, version: string, description = 'A server', official?: SourceEntry['official']): SourceEntry {
  return { server: { name, version, description }, ...(official === undefined ? {} : { official }) };
}

const T1 = '2026-01-01T00:00:00.000Z';
const T2 = '2026-01-02T00:00:00.000Z';
const T3 = '2026-01-03T00:00:00.000Z';

t.test('first sight sets publishedAt, updatedAt and statusChangedAt to now', async (t) => {
  const { entries } = buildSnapshot([entry('a/x', '1.0.0')], undefined, T1);
  t.match(entries[0], { status: 'active', publishedAt: T1, updatedAt: T1, statusChangedAt: T1 });
});

t.test('an unchanged entry keeps its timestamps; a changed one moves updatedAt only', async (t) => {
  const first = buildSnapshot([entry('a/x', '1.0.0'), entry('a/y', '1.0.0')], undefined, T1).entries;
  const second = buildSnapshot([entry('a/x', '1.0.0'), entry('a/y', '1.0.0', 'Now better')], first, T2).entries;
  const byName = new Map(second.map((e) => [e.server.name, e]));
  t.match(byName.get('a/x'), { publishedAt: T1, updatedAt: T1 });
  t.match(byName.get('a/y'), { publishedAt: T1, updatedAt: T2, statusChangedAt: T1 });
});

t.test('key order does not count as a change', async (t) => {
  const first = buildSnapshot([{ server: { name: 'a/x', version: '1', description: 'd' } }], undefined, T1).entries;
  const second = buildSnapshot([{ server: { description: 'd', version: '1', name: 'a/x' } }], first, T2).entries;
  t.equal(second[0]?.updatedAt, T1);
});

t.test('a status change moves statusChangedAt and updatedAt', async (t) => {
  const first = buildSnapshot([entry('a/x', '1.0.0')], undefined, T1).entries;
  const second = buildSnapshot([entry('a/x', '1.0.0', 'A server', { status: 'deprecated', statusMessage: 'use b/x' })], first, T2).entries;
  t.match(second[0], { status: 'deprecated', statusMessage: 'use b/x', statusChangedAt: T2, updatedAt: T2, publishedAt: T1 });
});

t.test('upstream timestamps win', async (t) => {
  const { entries } = buildSnapshot([entry('a/x', '1.0.0', 'd', { publishedAt: T1, updatedAt: T2, status: 'active' })], undefined, T3);
  t.match(entries[0], { publishedAt: T1, updatedAt: T2 });
});

t.test('a full snapshot drops what the source no longer has; a delta keeps it', async (t) => {
  const first = buildSnapshot([entry('a/x', '1.0.0'), entry('a/y', '1.0.0')], undefined, T1).entries;
  t.same(buildSnapshot([entry('a/x', '1.0.0')], first, T2).entries.map((e) => e.server.name), ['a/x']);
  const delta = buildSnapshot([entry('a/y', '1.0.0', 'd', { status: 'deleted' }), entry('a/z', '2.0.0')], first, T2, 'delta').entries;
  t.same(delta.map((e) => `${e.server.name}:${e.status}`).sort(), ['a/x:active', 'a/y:deleted', 'a/z:active']);
});

t.test('a duplicate name and version keeps the first and reports the second', async (t) => {
  const built = buildSnapshot([entry('a/x', '1.0.0', 'first'), entry('a/x', '1.0.0', 'second')], undefined, T1);
  t.equal(built.entries.length, 1);
  t.equal(built.entries[0]?.server.description, 'first');
  t.match(built.skipped, [{ name: 'a/x', version: '1.0.0', reason: /duplicate/ }]);
});

t.test("an upstream's isLatest flag is kept without counting as content", async (t) => {
  const first = buildSnapshot([entry('a/x', '1.0.0', 'd', { status: 'active', isLatest: true })], undefined, T1).entries;
  t.equal(first[0]?.isLatest, true);
  const second = buildSnapshot([entry('a/x', '1.0.0', 'd', { status: 'active', isLatest: false })], first, T2).entries;
  t.match(second[0], { isLatest: false, updatedAt: T1 });
  t.notOk('isLatest' in (buildSnapshot([entry('a/y', '1.0.0')], undefined, T1).entries[0] ?? {}), 'absent unless declared');
});
