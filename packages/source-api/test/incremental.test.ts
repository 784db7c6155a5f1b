import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import type { SourceData, SourceHandler } from '@thv/registry-core';
import { buildSnapshot } from '@thv/registry-core/host';
import plugin, { OVERLAP_MS, type ApiSourceConfig } from '../src/index.js';
import { entriesOf, fetchRequest, id, sourceContext } from './helpers/context.js';
import { UpstreamEmulator } from './helpers/upstream-emulator.js';

async function start(t: Test, versions = 3000): Promise<UpstreamEmulator> {
  const upstream = await UpstreamEmulator.start({ versions });
  t.teardown(() => upstream.close());
  return upstream;
}

async function createSource(t: Test, config: ApiSourceConfig): Promise<SourceHandler> {
  return plugin.create(config, sourceContext(t.testdir({})));
}

/** The next fetch after `data`, as the sync coordinator asks for it. */
function after(data: SourceData, overrides: { allowUnchanged?: boolean } = {}) {
  return fetchRequest({ previous: { fingerprint: data.fingerprint, state: data.state! }, ...overrides });
}

const NOW = new Date().toISOString();

t.test('after adds, updates and deletes upstream: only the changes, as a delta', async (t) => {
  const upstream = await start(t);
  const source = await createSource(t, { endpoint: upstream.url });
  const full = (await source.fetch(fetchRequest())) as SourceData;
  const committed = buildSnapshot(entriesOf(full).entries, undefined, NOW, 'full').entries;
  t.equal(committed.length, 3000);
  const lastUpdatedAt = (full.state as Record<string, string>).lastUpdatedAt!;

  const [first, , third, , fifth, , seventh] = upstream.all().filter((v) => v.status === 'active' && v.isLatest);
  const published = upstream.publish({ name: first!.server.name, version: '1.9.0' });
  const updated = upstream.update(third!.server.name, third!.server.version, { description: 'Now with more features' });
  const deleted = upstream.delete(fifth!.server.name, fifth!.server.version, 'withdrawn');
  const deprecated = upstream.setStatus(seventh!.server.name, seventh!.server.version, 'deprecated', 'use something else');
  const brandNew = upstream.publish();
  const before = upstream.listRequests().length;

  const delta = (await source.fetch(after(full))) as SourceData;
  t.equal(delta.mode, 'delta');

  const asked = upstream.listRequests().slice(before);
  t.equal(asked.length, 1, 'one page of changes');
  t.same(asked[0]!.query, {
    limit: '100',
    include_deleted: 'true',
    updated_since: new Date(Date.parse(lastUpdatedAt) - OVERLAP_MS).toISOString(),
  }, 'asked with updated_since, a minute before the last update seen');

  const { entries } = entriesOf(delta);
  const expected = [published, first!, updated, deleted, deprecated, brandNew].map(id).sort();
  t.same(entries.map(id).sort(), expected, 'the changed versions only (the old latest lost isLatest)');
  t.equal(entries.find((e) => id(e) === id(first!))?.official?.isLatest, false);

  const applied = buildSnapshot(entries, committed, NOW, 'delta').entries;
  t.equal(applied.length, 3002, 'two new versions');
  const find = (v: { server: { name: string; version: string } }) => applied.find((e) => id(e) === id(v))!;
  t.equal(find(deleted).status, 'deleted', 'the deletion is applied as a deleted status');
  t.equal(find(deleted).statusMessage, 'withdrawn');
  t.equal(find(deprecated).status, 'deprecated');
  t.equal(find(updated).server.description, 'Now with more features');
  t.equal(find(updated).updatedAt, updated.updatedAt);

  const state = delta.state as Record<string, string>;
  t.equal(state.lastUpdatedAt, brandNew.updatedAt, 'lastUpdatedAt moves to the newest change');
  t.equal(state.lastFullSync, (full.state as Record<string, string>).lastFullSync, 'lastFullSync stays');
  t.not(delta.fingerprint, full.fingerprint);
  t.match(delta.fingerprint, /^sha256:[0-9a-f]{64}$/);

  const again = await source.fetch(after(delta));
  t.same(again, { unchanged: true, state: delta.state }, 'nothing newer: unchanged');
  t.equal(upstream.listRequests().at(-1)!.query.updated_since !== undefined, true);
});

t.test('an unchanged upstream answers unchanged after one small request', async (t) => {
  const upstream = await start(t, 500);
  const source = await createSource(t, { endpoint: upstream.url });
  const full = (await source.fetch(fetchRequest())) as SourceData;
  const before = upstream.listRequests().length;
  t.same(await source.fetch(after(full)), { unchanged: true, state: full.state });
  const asked = upstream.listRequests().slice(before);
  t.equal(asked.length, 1);
  t.ok(asked[0]!.query.updated_since, 'with updated_since');
});

t.test('changes over several pages; a version changed twice comes once', async (t) => {
  const upstream = await start(t, 300);
  const source = await createSource(t, { endpoint: upstream.url, pageSize: 10 });
  const full = (await source.fetch(fetchRequest())) as SourceData;
  const changed = upstream.all().slice(0, 25);
  for (const v of changed) upstream.update(v.server.name, v.server.version, { description: 'first change' });
  upstream.update(changed[0]!.server.name, changed[0]!.server.version, { description: 'second change' });
  const before = upstream.listRequests().length;
  const delta = (await source.fetch(after(full))) as SourceData;
  const asked = upstream.listRequests().slice(before);
  t.equal(asked.length, 3, '25 changes at 10 a page');
  t.ok(asked.every((r) => r.query.updated_since !== undefined && r.query.include_deleted === 'true'));
  const { entries } = entriesOf(delta);
  t.equal(entries.length, 25);
  t.equal(entries.find((e) => id(e) === id(changed[0]!))?.server.description, 'second change');
});

t.test('a version committed upstream late (stamped before the last update seen) is still picked up', async (t) => {
  const upstream = await start(t, 200);
  const source = await createSource(t, { endpoint: upstream.url });
  const full = (await source.fetch(fetchRequest())) as SourceData;
  const lastUpdatedAt = (full.state as Record<string, string>).lastUpdatedAt!;
  const late = upstream.publish({ updatedAt: new Date(Date.parse(lastUpdatedAt) - 10_000).toISOString() });

  const delta = (await source.fetch(after(full))) as SourceData;
  t.equal(delta.mode, 'delta', 'nothing is newer, but the overlap window changed');
  t.ok(entriesOf(delta).entries.some((e) => id(e) === id(late)));
  t.equal((delta.state as Record<string, string>).lastUpdatedAt, lastUpdatedAt);
  t.same(await source.fetch(after(delta)), { unchanged: true, state: delta.state }, 'and then it is known');
});

t.test('a version changed while a full read pages past it is fetched by the next incremental read', async (t) => {
  const upstream = await start(t, 300);
  const source = await createSource(t, { endpoint: upstream.url });
  const [early] = upstream.all();
  const late = upstream.all().at(-1)!;
  void upstream.waitForRequest((r) => r.query.cursor !== undefined).then(() => {
    // Page 1 was answered: change a version on it, and one on page 3 with a later stamp.
    upstream.update(early!.server.name, early!.server.version, { description: 'changed mid-read' });
    upstream.update(late.server.name, late.server.version, { description: 'stamped later' }, {
      updatedAt: new Date(Date.now() + 5 * 60_000).toISOString(),
    });
  });
  const full = (await source.fetch(fetchRequest())) as SourceData;
  const entries = entriesOf(full).entries;
  t.not(entries.find((e) => id(e) === id(early!))?.server.description, 'changed mid-read', 'page 1 was read before the change');
  t.equal(entries.find((e) => id(e) === id(late))?.server.description, 'stamped later');
  const state = full.state as Record<string, string>;
  t.ok(state.lastUpdatedAt! <= early!.updatedAt, 'the next read starts no later than the first page was answered');

  const delta = (await source.fetch(after(full))) as SourceData;
  t.equal(delta.mode, 'delta');
  t.equal(entriesOf(delta).entries.find((e) => id(e) === id(early!))?.server.description, 'changed mid-read');
});

t.test('a full read again once fullResyncInterval has passed', async (t) => {
  const upstream = await start(t, 120);
  const source = await createSource(t, { endpoint: upstream.url, fullResyncInterval: '50ms' });
  const full = (await source.fetch(fetchRequest())) as SourceData;
  await sleep(80);
  const before = upstream.listRequests().length;
  const again = (await source.fetch(after(full))) as SourceData;
  t.equal(again.mode, 'full');
  const asked = upstream.listRequests().slice(before);
  t.equal(asked.length, 2, 'every page again');
  t.ok(asked.every((r) => r.query.updated_since === undefined));
  t.equal(again.fingerprint, full.fingerprint, 'same data, same fingerprint');
  const lastFullSync = (s: SourceData) => Date.parse((s.state as Record<string, string>).lastFullSync!);
  t.ok(lastFullSync(again) > lastFullSync(full), 'lastFullSync moves');
});

t.test('allowUnchanged false, no fingerprint or an unusable state: a full read', async (t) => {
  const upstream = await start(t, 50);
  const source = await createSource(t, { endpoint: upstream.url });
  const full = (await source.fetch(fetchRequest())) as SourceData;
  const requests = [
    after(full, { allowUnchanged: false }),
    fetchRequest({ previous: { state: full.state! } }),
    fetchRequest({ previous: { fingerprint: full.fingerprint, state: 'garbage' } }),
    fetchRequest({ previous: { fingerprint: full.fingerprint, state: { lastUpdatedAt: 'yesterday', lastFullSync: NOW } } }),
    fetchRequest({ previous: { fingerprint: full.fingerprint, state: { ...(full.state as object), lastFullSync: '2999-01-01T00:00:00Z' } } }),
  ];
  for (const request of requests) {
    const before = upstream.listRequests().length;
    const result = (await source.fetch(request)) as SourceData;
    t.equal(result.mode, 'full');
    t.equal(upstream.listRequests()[before]!.query.updated_since, undefined);
  }
});
