import t from 'tap';
import { OFFICIAL_META_KEY } from '../src/interfaces/model.js';
import { testApp } from './helpers/http-app.js';
import { assertProblem, keysOf, type ServerListBody, type ServerResponseBody } from './helpers/http-assert.js';

const WEATHER = 'io.github.example%2Fweather';

t.test('list: the official response shape', async (t) => {
  const { app } = await testApp(t);
  const response = await app.inject('/v0.1/servers?limit=2');
  t.equal(response.statusCode, 200);
  t.match(response.headers['content-type'], /^application\/json\b/);
  const body = response.json<ServerListBody>();
  t.same(Object.keys(body), ['servers', 'metadata']);
  t.equal(body.metadata.count, 2);
  t.type(body.metadata.nextCursor, 'string', 'nextCursor when more rows exist');
  const [first] = body.servers;
  t.same(Object.keys(first ?? {}), ['server', '_meta']);
  t.match(first, {
    server: { name: 'com.acme/search', version: '1.0.0', title: 'Acme Search', description: String },
    _meta: {
      [OFFICIAL_META_KEY]: {
        status: 'deprecated',
        statusChangedAt: '2025-01-04T00:00:00.000Z',
        publishedAt: '2025-01-04T00:00:00.000Z',
        updatedAt: '2025-01-04T00:00:00.000Z',
        isLatest: true,
      },
    },
  });
});

t.test('list: limit defaults to 30 and the last page has no nextCursor', async (t) => {
  const { app } = await testApp(t);
  const first = (await app.inject('/v0.1/servers')).json<ServerListBody>();
  t.equal(first.metadata.count, 30);
  t.equal(first.servers.length, 30);
  t.ok(first.metadata.nextCursor);
  const all = (await app.inject('/v0.1/servers?limit=100')).json<ServerListBody>();
  t.equal(all.metadata.count, 46, '6 visible alpha versions and 40 beta servers');
  t.same(Object.keys(all.metadata), ['count'], 'no nextCursor key at all on the last page');
  const one = (await app.inject('/v0.1/servers?limit=1')).json<ServerListBody>();
  t.equal(one.metadata.count, 1);
});

t.test('list: a cursor walk visits every version once, in order', async (t) => {
  const { app } = await testApp(t);
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const query = cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const body = (await app.inject(`/v0.1/servers?limit=7${query}`)).json<ServerListBody>();
    seen.push(...keysOf(body));
    cursor = body.metadata.nextCursor;
    pages++;
  } while (cursor !== undefined);
  t.equal(pages, 7);
  t.equal(seen.length, 46);
  t.equal(new Set(seen).size, 46, 'no duplicates');
  const all = (await app.inject('/v0.1/servers?limit=100')).json<ServerListBody>();
  t.same(seen, keysOf(all), 'same order as one big page');
});

t.test('list: search, version, include_deleted and updated_since', async (t) => {
  const { app } = await testApp(t);
  const keys = async (url: string) => keysOf((await app.inject(url)).json<ServerListBody>());

  t.same(await keys('/v0.1/servers?search=WEATHER'), [
    'io.github.example/weather@1.0.0',
    'io.github.example/weather@1.1.0',
    'io.github.example/weather@2.0.0',
  ]);
  t.same(await keys('/v0.1/servers?search=acme%20search'), ['com.acme/search@1.0.0'], 'title is searched');
  t.same(await keys('/v0.1/servers?version=1.1.0'), ['io.github.example/weather@1.1.0']);
  t.same(await keys('/registry/alpha/v0.1/servers?version=latest'), [
    'com.acme/search@1.0.0',
    'io.github.example/build@1.0.0+build.7',
    'io.github.example/time@0.2.0',
    'io.github.example/weather@2.0.0',
  ]);
  t.equal((await keys('/registry/alpha/v0.1/servers')).length, 6, 'deleted versions hidden by default');
  t.equal((await keys('/registry/alpha/v0.1/servers?include_deleted=true')).length, 8);
  t.same(
    await keys('/registry/alpha/v0.1/servers?updated_since=2025-01-05T00:00:00Z'),
    ['io.github.example/build@1.0.0+build.7', 'io.github.example/weather@2.0.0', 'io.github.gone/old@1.0.0'],
    'strictly after, and deleted versions included as updated_since implies',
  );
  t.same(
    await keys('/registry/alpha/v0.1/servers?updated_since=2025-01-05T02:00:00%2B02:00'),
    ['io.github.example/build@1.0.0+build.7', 'io.github.example/weather@2.0.0', 'io.github.gone/old@1.0.0'],
    'offsets are honoured',
  );
  t.same(await keys('/v0.1/servers?search=&cursor=&version=&limit=100').then((k) => k.length), 46, 'empty = absent');
});

t.test('versions: newest first, %2F decoded, deleted on request, 404 otherwise', async (t) => {
  const { app } = await testApp(t);
  const weather = (await app.inject(`/v0.1/servers/${WEATHER}/versions`)).json<ServerListBody>();
  t.same(keysOf(weather), [
    'io.github.example/weather@2.0.0',
    'io.github.example/weather@1.1.0',
    'io.github.example/weather@1.0.0',
  ]);
  t.equal(weather.metadata.count, 3);
  t.same(Object.keys(weather.metadata), ['count']);
  t.same(
    weather.servers.map((s) => s._meta[OFFICIAL_META_KEY]?.['isLatest']),
    [true, false, false],
  );

  const time = (await app.inject('/v0.1/servers/io.github.example%2Ftime/versions')).json<ServerListBody>();
  t.same(keysOf(time), ['io.github.example/time@0.2.0']);
  const timeAll = await app.inject('/v0.1/servers/io.github.example%2Ftime/versions?include_deleted=true');
  t.same(keysOf(timeAll.json<ServerListBody>()), ['io.github.example/time@0.2.0', 'io.github.example/time@0.1.0']);

  assertProblem(t, await app.inject('/v0.1/servers/io.github.gone%2Fold/versions'), 404, /"io\.github\.gone\/old"/);
  const gone = await app.inject('/v0.1/servers/io.github.gone%2Fold/versions?include_deleted=true');
  t.same(keysOf(gone.json<ServerListBody>()), ['io.github.gone/old@1.0.0']);
  assertProblem(t, await app.inject('/v0.1/servers/io.github.nobody%2Fx/versions'), 404, /"io\.github\.nobody\/x" not found/);
});

t.test('version: exact, latest alias, build metadata, deleted, 404s', async (t) => {
  const { app } = await testApp(t);
  const get = async (url: string) => {
    const response = await app.inject(url);
    t.equal(response.statusCode, 200, url);
    return response.json<ServerResponseBody>();
  };
  const exact = await get(`/v0.1/servers/${WEATHER}/versions/1.0.0`);
  t.match(exact, { server: { name: 'io.github.example/weather', version: '1.0.0' } });
  t.equal(exact._meta[OFFICIAL_META_KEY]?.['isLatest'], false);
  const latest = await get(`/v0.1/servers/${WEATHER}/versions/latest`);
  t.equal(latest.server.version, '2.0.0');
  t.equal(latest._meta[OFFICIAL_META_KEY]?.['isLatest'], true);
  t.equal((await get('/v0.1/servers/io.github.example%2Fbuild/versions/1.0.0%2Bbuild.7')).server.version, '1.0.0+build.7');

  assertProblem(t, await app.inject('/v0.1/servers/io.github.example%2Ftime/versions/0.1.0'), 404, /"0\.1\.0"/);
  const deleted = await get('/v0.1/servers/io.github.example%2Ftime/versions/0.1.0?include_deleted=true');
  t.equal(deleted._meta[OFFICIAL_META_KEY]?.['status'], 'deleted');

  const unknownVersion = await app.inject(`/v0.1/servers/${WEATHER}/versions/9.9.9`);
  assertProblem(t, unknownVersion, 404, /"io\.github\.example\/weather" has no version "9\.9\.9"/);
  const unknownServer = await app.inject('/v0.1/servers/io.github.nobody%2Fx/versions/latest');
  assertProblem(t, unknownServer, 404, /"io\.github\.nobody\/x" not found/);
  assertProblem(t, await app.inject('/v0.1/servers/io.github.gone%2Fold/versions/latest'), 404, /gone\/old/);
});

t.test('/v0 is an alias of /v0.1', async (t) => {
  const { app } = await testApp(t);
  for (const path of ['/servers?limit=5&search=example', `/servers/${WEATHER}/versions`, `/servers/${WEATHER}/versions/latest`]) {
    const current = await app.inject(`/v0.1${path}`);
    const alias = await app.inject(`/v0${path}`);
    t.equal(alias.statusCode, 200, path);
    t.equal(alias.body, current.body, path);
  }
  assertProblem(t, await app.inject('/v0/servers?limit=101'), 400, /"limit"/);
});

t.test('/registry/:registryName/v0.1: one registry, 404 for an unknown one', async (t) => {
  const { app } = await testApp(t);
  const beta = (await app.inject('/registry/beta/v0.1/servers?limit=100')).json<ServerListBody>();
  t.equal(beta.metadata.count, 40);
  t.ok(beta.servers.every(({ server }) => server.name.startsWith('io.github.bulk/')));

  const bulk = 'io.github.bulk%2Fserver-01';
  t.equal((await app.inject(`/registry/beta/v0.1/servers/${bulk}/versions`)).statusCode, 200);
  t.equal((await app.inject(`/registry/beta/v0.1/servers/${bulk}/versions/latest`)).statusCode, 200);
  assertProblem(t, await app.inject(`/registry/alpha/v0.1/servers/${bulk}/versions`), 404, /server-01/);

  const empty = await app.inject('/registry/gamma/v0.1/servers');
  t.equal(empty.statusCode, 200, 'a configured registry without data is empty, not missing');
  t.equal(empty.body, '{"servers":[],"metadata":{"count":0}}');

  for (const path of ['/servers', `/servers/${WEATHER}/versions`, `/servers/${WEATHER}/versions/latest`]) {
    const response = await app.inject(`/registry/nope/v0.1${path}`);
    assertProblem(t, response, 404, /registry "nope" is not configured/);
  }
});
