import t from 'tap';
import { catalogEtag, ifNoneMatchHits } from '../src/http/conditional.js';
import { ResponseCache } from '../src/http/response-cache.js';
import { ALPHA, entry, sampleCatalog, testApp } from './helpers/http-app.js';

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

t.test('a repeated URL gets the same response until the catalog changes', async (t) => {
  const { app, catalog } = await testApp(t);
  const first = await app.inject(WEATHER_LATEST);
  const again = await app.inject(WEATHER_LATEST);
  t.same(again.rawPayload, first.rawPayload, 'same bytes');
  t.equal(again.headers.etag, first.headers.etag);

  const list = await app.inject('/v0.1/servers?limit=2');
  catalog.setRegistry('alpha', [...ALPHA, entry('io.github.example/weather', '3.0.0', { day: 11 })]);
  const changed = await app.inject(WEATHER_LATEST);
  t.equal(changed.json<{ server: { version: string } }>().server.version, '3.0.0', 'the new view is served, not the kept body');
  t.not((await app.inject('/v0.1/servers?limit=2')).headers.etag, list.headers.etag);
});

t.test('kept responses stay within the budget and evicted ones are built again', async (t) => {
  const budget = 4096;
  const { app, catalog } = await testApp(t, { responseCacheBytes: budget });
  const cache = new ResponseCache(budget);
  const urls = Array.from({ length: 40 }, (_, i) => `/v0.1/servers?limit=${i + 1}`);
  const first = new Map<string, Buffer>();
  for (const url of urls) first.set(url, (await app.inject(url)).rawPayload);
  for (const url of urls) t.same((await app.inject(url)).rawPayload, first.get(url), `${url} answers the same`);
  // The app's own cache is not reachable; the same class with the same budget shows the bound.
  const responses = cache.of(catalog.aggregated());
  for (const [url, body] of first) {
    responses.rendered(url, 'W/"x"', body, undefined);
    responses.rendered(url, 'W/"x"', body, responses.get(url));
  }
  t.ok(responses.bytes <= budget, 'within the budget');
  t.ok(responses.size < urls.length, 'the least recently used were dropped');
});

t.test('a body is kept once its URL comes back before the cache would have let it go', async (t) => {
  const responses = new ResponseCache(1000).of(sampleCatalog().aggregated());
  const body = Buffer.alloc(100);
  const render = (url: string) => responses.rendered(url, 'W/"e"', body, responses.get(url));
  render('/a');
  t.equal(responses.get('/a')?.body, undefined, 'one request: only the ETag is kept');
  t.equal(responses.get('/a')?.etag, 'W/"e"');
  render('/a');
  t.equal(responses.get('/a')?.body, body, 'asked again right away: kept');

  render('/walk-0');
  for (let i = 1; i <= 12; i += 1) render(`/walk-${i}`);
  render('/walk-0');
  t.equal(responses.get('/walk-0')?.body, undefined, '13 bodies of 100 bytes since: it would not have survived a 1,000-byte budget');
  for (let i = 0; i < 3; i += 1) render(`/other-${i}`);
  render('/walk-0');
  t.equal(responses.get('/walk-0')?.body, body, '4 bodies since: it would have');
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
