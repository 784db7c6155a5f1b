import t from 'tap';
import { catalogEtag, ifNoneMatchHits } from '../src/http/conditional.js';
import { ALPHA, entry, testApp } from './helpers/http-app.js';

const WEATHER_LATEST = '/v0.1/servers/io.github.example%2Fweather/versions/latest';

t.test('ETag then If-None-Match answers 304 without a body', async (t) => {
  const { app } = await testApp(t);
  for (const url of ['/v0.1/servers?limit=5', '/v0.1/servers/io.github.example%2Fweather/versions', WEATHER_LATEST, '/api/v0/servers']) {
    const first = await app.inject(url);
    const etag = first.headers.etag;
    t.match(etag, /^W\/"[\w-]+"$/, `${url}: weak ETag`);
    t.equal(first.headers['cache-control'], 'no-cache');
    const second = await app.inject({ url, headers: { 'if-none-match': String(etag) } });
    t.equal(second.statusCode, 304, `${url}: 304`);
    t.equal(second.body, '', 'no body');
    t.equal(second.headers.etag, etag, 'the ETag is repeated');
    const stale = await app.inject({ url, headers: { 'if-none-match': 'W/"stale"' } });
    t.equal(stale.statusCode, 200, `${url}: another ETag gets the body`);
  }
});

t.test('the ETag changes with the query, the route and the catalog', async (t) => {
  const { app, catalog } = await testApp(t);
  const etagOf = async (url: string) => (await app.inject(url)).headers.etag;
  const list = await etagOf('/v0.1/servers?limit=5');
  t.equal(await etagOf('/v0.1/servers?limit=5'), list, 'stable');
  t.not(await etagOf('/v0.1/servers?limit=6'), list, 'limit');
  t.not(await etagOf('/v0.1/servers?limit=5&include_deleted=true'), list, 'include_deleted');
  t.not(await etagOf('/registry/alpha/v0.1/servers?limit=5'), await etagOf('/registry/beta/v0.1/servers?limit=5'));
  t.equal(await etagOf('/v0.1/servers?limit=5&unknown=1'), list, 'unknown parameters do not matter');

  const detail = await etagOf(WEATHER_LATEST);
  catalog.setRegistry('alpha', [...ALPHA, entry('io.github.example/weather', '3.0.0', { day: 11 })]);
  const changed = await app.inject({ url: WEATHER_LATEST, headers: { 'if-none-match': String(detail) } });
  t.equal(changed.statusCode, 200, 'a new catalog generation invalidates the old ETag');
  t.not(changed.headers.etag, detail);
  t.equal(changed.json<{ server: { version: string } }>().server.version, '3.0.0');
});

t.test('HEAD carries the validators and no body', async (t) => {
  const { app } = await testApp(t);
  const get = await app.inject('/v0.1/servers');
  const head = await app.inject({ method: 'HEAD', url: '/v0.1/servers' });
  t.equal(head.statusCode, 200);
  t.equal(head.body, '');
  t.equal(head.headers.etag, get.headers.etag);
});

t.test('ifNoneMatchHits: lists, weak comparison and *', async (t) => {
  const etag = catalogEtag('generation', 'selector');
  t.ok(ifNoneMatchHits(etag, etag));
  t.ok(ifNoneMatchHits(`"a", ${etag}`, etag), 'one of a list');
  t.ok(ifNoneMatchHits(etag.slice(2), etag), 'the strong form matches weakly');
  t.ok(ifNoneMatchHits('*', etag));
  t.notOk(ifNoneMatchHits(undefined, etag));
  t.notOk(ifNoneMatchHits('W/"other"', etag));
  t.not(catalogEtag('generation', 'other'), etag);
  t.not(catalogEtag('other', 'selector'), etag);
});
