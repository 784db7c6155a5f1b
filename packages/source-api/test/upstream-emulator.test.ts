import t, { type Test } from 'tap';
import { validateServer } from '@thv/registry-core';
import { generateVersions, OFFICIAL_META_KEY, UpstreamEmulator } from './helpers/upstream-emulator.js';

interface Page {
  servers: Array<{ server: { name: string; version: string; description: string }; _meta: Record<string, Record<string, unknown>> }>;
  metadata: { count: number; nextCursor?: string };
}

async function start(t: Test, versions = 500): Promise<UpstreamEmulator> {
  const upstream = await UpstreamEmulator.start({ versions });
  t.teardown(() => upstream.close());
  return upstream;
}

async function get(upstream: UpstreamEmulator, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${upstream.url}${path}`);
  return { status: response.status, body: await response.json() };
}

async function list(upstream: UpstreamEmulator, query: string): Promise<Page> {
  const { status, body } = await get(upstream, `/v0.1/servers?${query}`);
  if (status !== 200) throw new Error(`status ${status}: ${JSON.stringify(body)}`);
  return body as Page;
}

// What the emulator's opaque cursor holds (tests of the emulator itself may know it).
function keysetCursor(server: { name: string; version: string }): string {
  return Buffer.from(JSON.stringify([server.name, server.version])).toString('base64url');
}

async function listAll(upstream: UpstreamEmulator, query: string): Promise<Page['servers']> {
  const all: Page['servers'] = [];
  let cursor = '';
  for (;;) {
    const page = await list(upstream, `${query}${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    all.push(...page.servers);
    if (page.metadata.nextCursor === undefined) return all;
    cursor = page.metadata.nextCursor;
  }
}

t.test('generates valid, deterministic server.json versions', async (t) => {
  const versions = generateVersions(3000);
  t.equal(versions.length, 3000);
  t.same(generateVersions(3000), versions, 'the same seed gives the same data');
  t.not(JSON.stringify(generateVersions(50, 2)), JSON.stringify(generateVersions(50, 1)));
  const invalid = versions.filter((v) => !validateServer(v.server).ok);
  t.same(invalid, [], 'every one passes the server.json schema');
  t.ok(versions.every((v) => /^io\.github\.gen\/server-\d+$/.test(v.server.name)));
  t.ok(versions.every((v) => String(v.server['description']).length <= 100));
  t.ok(versions.some((v) => v.server['remotes'] !== undefined) && versions.some((v) => v.server['packages'] !== undefined));
  t.ok(versions.some((v) => v.status === 'deleted') && versions.some((v) => v.status === 'deprecated'));
  const names = new Set(versions.map((v) => v.server.name));
  t.ok(names.size > 500 && names.size < 3000, 'several versions per server');
  t.equal(versions.filter((v) => v.isLatest).length, names.size, 'one latest per server');
});

t.test('pages with a keyset cursor in (name, version) byte order', async (t) => {
  const upstream = await start(t);
  const first = await list(upstream, 'limit=100&include_deleted=true');
  t.equal(first.servers.length, 100);
  t.equal(first.metadata.count, 100);
  t.type(first.metadata.nextCursor, 'string');
  const all = await listAll(upstream, 'limit=100&include_deleted=true');
  t.equal(all.length, 500);
  const keys = all.map((s) => `${s.server.name}\u0000${s.server.version}`);
  t.same(keys, [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  t.equal(new Set(keys).size, 500, 'no row twice');
  const fourth = await list(upstream, 'limit=100&include_deleted=true&cursor=' + encodeURIComponent(keysetCursor(all[399]!.server)));
  t.equal(fourth.servers[0]!.server.name, all[400]!.server.name, 'the cursor is opaque but keyset: it starts after a row');
  t.same([fourth.servers.length, fourth.metadata.nextCursor], [100, undefined], 'no nextCursor on the last page');
  t.equal((await list(upstream, '')).servers.length, 30, 'limit defaults to 30');
  const sample = all[0]!._meta[OFFICIAL_META_KEY]!;
  t.match(sample, { status: String, publishedAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, updatedAt: String, isLatest: Boolean });
});

t.test('filters: include_deleted, updated_since, version, search', async (t) => {
  const upstream = await start(t);
  const visible = await listAll(upstream, 'limit=100');
  const deleted = upstream.all().filter((v) => v.status === 'deleted').length;
  t.ok(deleted > 0);
  t.equal(visible.length, 500 - deleted, 'deleted versions hidden by default');

  const cut = upstream.all()[250]!.updatedAt;
  const since = await listAll(upstream, `limit=100&updated_since=${cut}`);
  t.same(
    since.map((s) => s.server.name + s.server.version).sort(),
    upstream.all().filter((v) => v.updatedAt > cut).map((v) => v.server.name + v.server.version).sort(),
    'updated_since is strictly greater, and includes deleted versions',
  );

  const latest = await listAll(upstream, 'limit=100&version=latest&include_deleted=true');
  t.ok(latest.every((s) => s._meta[OFFICIAL_META_KEY]!.isLatest === true));
  t.equal(latest.length, new Set(upstream.all().map((v) => v.server.name)).size);
  const exact = await listAll(upstream, 'limit=100&version=1.2.0&include_deleted=true');
  t.ok(exact.length > 0 && exact.every((s) => s.server.version === '1.2.0'));

  const found = await listAll(upstream, 'limit=100&search=SERVER-12');
  t.ok(found.length > 0 && found.every((s) => s.server.name.includes('server-12')), 'search: case-insensitive substring of the name');
});

t.test('bad parameters are 400 problems', async (t) => {
  const upstream = await start(t, 10);
  for (const query of ['limit=0', 'limit=101', 'limit=abc', 'updated_since=yesterday', 'cursor=nope']) {
    const { status, body } = await get(upstream, `/v0.1/servers?${query}`);
    t.equal(status, 400, query);
    t.match(body, { status: 400, title: String, detail: String });
  }
});

t.test('versions of one server, newest first; one version; latest', async (t) => {
  const upstream = await start(t, 40);
  const name = upstream.all().find((v) => v.server.version === '1.1.0')!.server.name;
  const encoded = encodeURIComponent(name);
  const versions = await get(upstream, `/v0.1/servers/${encoded}/versions`);
  t.equal(versions.status, 200);
  const listed = (versions.body as Page).servers.map((s) => s.server.version);
  t.same(listed, [...listed].sort().reverse());
  t.same((await get(upstream, `/v0.1/servers/${name}/versions`)).body, versions.body, 'an unencoded slash works too');
  const one = await get(upstream, `/v0.1/servers/${encoded}/versions/1.0.0`);
  t.match(one, { status: 200, body: { server: { name, version: '1.0.0' } } });
  const latest = await get(upstream, `/v0.1/servers/${encoded}/versions/latest`);
  t.match(latest.body, { _meta: { [OFFICIAL_META_KEY]: { isLatest: true } } });
  t.same(await get(upstream, `/v0.1/servers/${encoded}/versions/9.9.9`), { status: 404, body: { error: 'Server not found' } });
  t.same(await get(upstream, '/v0.1/servers/io.github.gen%2Fnope/versions'), { status: 404, body: { error: 'Server not found' } });
});

t.test('mutations stamp updatedAt now, strictly increasing', async (t) => {
  const upstream = await start(t, 20);
  const target = upstream.all().find((v) => v.isLatest)!;
  const published = upstream.publish({ name: target.server.name, version: '2.0.0' });
  t.equal(published.isLatest, true);
  t.equal(target.isLatest, false, 'the previous latest is no longer latest');
  t.ok(target.updatedAt > published.updatedAt, 'and is stamped after the publish');
  const deleted = upstream.delete(published.server.name, '2.0.0');
  t.equal(deleted.status, 'deleted');
  t.ok(deleted.updatedAt > target.updatedAt);
  t.ok(Math.abs(Date.parse(deleted.updatedAt) - Date.now()) < 5000, 'now');
  const highest = Math.max(...upstream.all().map((v) => Number(v.server.name.split('-')[1])));
  t.equal(upstream.publish().server.name, `io.github.gen/server-${highest + 1}`, 'a new server by default');
  t.equal(upstream.size, 22);
  t.throws(() => upstream.update('io.github.gen/none', '1.0.0', {}), /holds no/);
});

t.test('faults, the request log and waiting for a request', async (t) => {
  const upstream = await start(t, 10);
  upstream.inject({ kind: 'status', status: 429, retryAfter: '7' }, { times: 2 });
  const waiting = upstream.waitForRequest((r) => r.query.limit === '3');
  const limited = await fetch(`${upstream.url}/v0.1/servers?limit=3`);
  t.equal(limited.status, 429);
  t.equal(limited.headers.get('retry-after'), '7');
  t.equal((await waiting).url, '/v0.1/servers?limit=3');
  t.equal((await fetch(`${upstream.url}/v0.1/servers`)).status, 429);
  t.equal((await fetch(`${upstream.url}/v0.1/servers`)).status, 200, 'faults run out');
  t.same(upstream.requests.map((r) => [r.status, r.fault]), [[429, 'status'], [429, 'status'], [200, undefined]]);

  upstream.inject({ kind: 'invalid-json' });
  await t.rejects((await fetch(`${upstream.url}/v0.1/servers`)).json(), SyntaxError);
  upstream.inject({ kind: 'truncate' });
  await t.rejects(fetch(`${upstream.url}/v0.1/servers`).then((r) => r.text()));

  upstream.cursorLoop = true;
  const first = await list(upstream, 'limit=4');
  const second = await list(upstream, `limit=4&cursor=${first.metadata.nextCursor}`);
  t.equal(second.metadata.nextCursor, first.metadata.nextCursor, 'cursor loop repeats the cursor');
  upstream.clearFaults();
  t.equal(upstream.cursorLoop, false);

  upstream.pageDelayMs = 150;
  const started = performance.now();
  await list(upstream, 'limit=1');
  t.ok(performance.now() - started >= 140, 'slow mode delays each page');
});
