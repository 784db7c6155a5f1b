import { getEventListeners } from 'node:events';
import t, { type Test } from 'tap';
import { type SourceData, type SourceHandler } from '@thv/registry-core';
import plugin, { type ApiSourceConfig } from '../src/index.js';
import { entriesOf, fetchRequest, id, sourceContext } from './helpers/context.js';
import { UpstreamEmulator } from './helpers/upstream-emulator.js';

async function start(t: Test, versions = 3000): Promise<UpstreamEmulator> {
  const upstream = await UpstreamEmulator.start({ versions });
  t.teardown(() => upstream.close());
  return upstream;
}

async function createSource(t: Test, config: ApiSourceConfig): Promise<SourceHandler & { logs: string[] }> {
  const ctx = sourceContext(t.testdir({}));
  const source = await plugin.create(config, ctx);
  return Object.assign(source, { logs: ctx.logs });
}

t.test('reads ~3,000 versions page by page, deleted ones included', async (t) => {
  const upstream = await start(t);
  const source = await createSource(t, { endpoint: `${upstream.url}/` });
  t.equal(source.describe(), `api ${upstream.url}`, 'a trailing slash is dropped');

  const controller = new AbortController();
  const result = (await source.fetch(fetchRequest({ signal: controller.signal }))) as SourceData;
  t.equal(result.mode, 'full');
  t.match(result.fingerprint, /^sha256:[0-9a-f]{64}$/);
  t.equal(getEventListeners(controller.signal, 'abort').length, 0, 'no listener left on the caller\'s signal');

  const { entries, skipped } = entriesOf(result);
  t.equal(skipped, 0, 'every generated version is a valid server.json');
  t.equal(entries.length, 3000);
  t.same(entries.map(id), upstream.all().map((v) => `${v.server.name}@${v.server.version}`), 'all versions, in upstream order');

  const deleted = entries.filter((entry) => entry.official?.status === 'deleted');
  t.ok(deleted.length > 0, 'deleted versions are delivered (include_deleted=true)');
  const sample = upstream.all()[1234]!;
  const delivered = entries.find((entry) => id(entry) === `${sample.server.name}@${sample.server.version}`)!;
  t.same(delivered.official, {
    status: sample.status,
    publishedAt: sample.publishedAt,
    updatedAt: sample.updatedAt,
    statusChangedAt: sample.statusChangedAt,
    isLatest: sample.isLatest,
    ...(sample.statusMessage !== undefined && { statusMessage: sample.statusMessage }),
  }, 'the upstream official metadata is kept');

  const pages = upstream.listRequests();
  t.equal(pages.length, 30, '3,000 versions at 100 a page');
  t.same(pages[0]!.query, { limit: '100', include_deleted: 'true' });
  t.equal(pages[0]!.url, '/v0.1/servers?limit=100&include_deleted=true');
  for (const [index, page] of pages.entries()) {
    if (index > 0) t.ok(page.query.cursor, `page ${index + 1} follows the cursor`);
    t.equal(page.query.updated_since, undefined);
  }

  const newest = upstream.all().reduce((a, b) => (a.updatedAt > b.updatedAt ? a : b));
  const state = result.state as Record<string, string>;
  t.equal(state.lastUpdatedAt, newest.updatedAt, 'the state keeps the newest updatedAt');
  t.ok(Math.abs(Date.parse(state.lastFullSync!) - Date.now()) < 60_000, 'and when the full read started');
});

t.test('equal upstream data gives an equal fingerprint; a change gives another', async (t) => {
  const upstream = await start(t, 250);
  const source = await createSource(t, { endpoint: upstream.url, pageSize: 40 });
  const first = (await source.fetch(fetchRequest({ allowUnchanged: false }))) as SourceData;
  const second = (await source.fetch(fetchRequest({ allowUnchanged: false }))) as SourceData;
  t.equal(second.fingerprint, first.fingerprint);
  t.equal(upstream.listRequests().length, 14, '7 pages of 40, twice');
  t.equal(upstream.listRequests()[0]!.query.limit, '40', 'pageSize is the limit');

  const [sample] = upstream.all();
  upstream.update(sample!.server.name, sample!.server.version, { description: 'changed' });
  const third = (await source.fetch(fetchRequest({ allowUnchanged: false }))) as SourceData;
  t.not(third.fingerprint, first.fingerprint);
});

t.test('an empty upstream is an empty full result', async (t) => {
  const upstream = await start(t, 0);
  const source = await createSource(t, { endpoint: upstream.url });
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.equal(result.mode, 'full');
  t.same(entriesOf(result).entries, []);
  t.same(Object.keys(result.state as object), ['lastFullSync'], 'no lastUpdatedAt: the next fetch reads everything again');
});

t.test('sends configured headers, never logs their values, logs each page at debug', async (t) => {
  const upstream = await start(t, 150);
  const source = await createSource(t, {
    endpoint: upstream.url,
    headers: { Authorization: 'Bearer s3cret-token', 'X-Team': 'platform' },
  });
  await source.fetch(fetchRequest());
  for (const request of upstream.requests) {
    t.equal(request.headers.authorization, 'Bearer s3cret-token');
    t.equal(request.headers['x-team'], 'platform');
    t.equal(request.headers.accept, 'application/json');
  }
  const pages = source.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((log) => log.msg === 'upstream page read');
  t.same(pages.map((log) => [log.page, log.count, typeof log.bytes]), [[1, 100, 'number'], [2, 50, 'number']]);
  t.notMatch(source.logs.join('\n'), /s3cret-token/, 'no header value in the logs');
});

t.test('a path prefix in the endpoint is kept', async (t) => {
  const upstream = await start(t, 5);
  const source = await createSource(t, { endpoint: `${upstream.url}/registry/team/` });
  t.equal(source.describe(), `api ${upstream.url}/registry/team`);
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `HTTP 404 Not Found fetching ${upstream.url}/registry/team/v0.1/servers?limit=100&include_deleted=true (page 1)`,
  });
  t.equal(upstream.requests.length, 1, 'a 404 is not retried');
});

t.test('an entry invalid under the server.json schema is skipped by core, not fatal', async (t) => {
  const upstream = await start(t, 10);
  const [broken] = upstream.all();
  upstream.update(broken!.server.name, broken!.server.version, { description: 'x'.repeat(101) });
  const source = await createSource(t, { endpoint: upstream.url });
  const result = (await source.fetch(fetchRequest())) as SourceData;
  const { entries, skipped } = entriesOf(result);
  t.equal(entries.length, 9);
  t.equal(skipped, 1);
  t.notOk(entries.some((entry) => id(entry) === `${broken!.server.name}@${broken!.server.version}`));
});
