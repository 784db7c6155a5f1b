import t from 'tap';
import { StorageError } from '../src/errors.js';
import type { CatalogReader } from '../src/interfaces/catalog.js';
import { toProblem } from '../src/http/problem.js';
import { sampleCatalog, testApp } from './helpers/http-app.js';
import { assertNoStack, assertProblem } from './helpers/http-assert.js';

t.test('an unknown route is a 404 problem naming it', async (t) => {
  const { app } = await testApp(t);
  const body = assertProblem(t, await app.inject('/v0.1/nothing-here?x=1'), 404, 'no route matches GET /v0.1/nothing-here');
  t.equal(body['code'], 'THV_ERR_NOT_FOUND');
  assertProblem(t, await app.inject({ method: 'POST', url: '/v0.1/servers' }), 404, /POST \/v0\.1\/servers/);
});

t.test('a bad limit is a 400 problem naming limit', async (t) => {
  const { app } = await testApp(t);
  for (const [value, message] of [
    ['0', 'must be >= 1'],
    ['101', 'must be <= 100'],
    ['abc', 'must be integer'],
    ['1.5', 'must be integer'],
  ] as const) {
    const body = assertProblem(t, await app.inject(`/v0.1/servers?limit=${value}`), 400, /"limit"/);
    t.equal(body['code'], 'THV_ERR_INVALID_PARAMETER');
    t.same(body['errors'], [{ path: 'limit', message }], `limit=${value}`);
  }
});

t.test('other bad query parameters are 400 problems naming them', async (t) => {
  const { app } = await testApp(t);
  assertProblem(t, await app.inject('/v0.1/servers?cursor=not-a-cursor'), 400, /cursor/);
  assertProblem(t, await app.inject('/v0.1/servers?cursor=%21%21'), 400, /cursor/);
  for (const value of ['yesterday', '2025-01-01', '2025-01-01T00:00:00', '2025-13-01T00:00:00Z']) {
    const response = await app.inject(`/v0.1/servers?updated_since=${value}`);
    assertProblem(t, response, 400, /"updated_since"/);
  }
  const leap = await app.inject('/v0.1/servers?updated_since=2016-12-31T23:59:60Z');
  assertProblem(t, leap, 400, /"updated_since".*2016-12-31T23:59:60Z/);
  const flag = await app.inject('/v0.1/servers/io.github.example%2Fweather/versions?include_deleted=maybe');
  assertProblem(t, flag, 400, /"include_deleted"/);
});

t.test('malformed percent-encoding in the path is a 400 problem', async (t) => {
  const { app } = await testApp(t);
  const body = assertProblem(t, await app.inject('/v0.1/servers/%E0%A4%A/versions'), 400, /%E0%A4%A/);
  t.equal(body['code'], 'THV_ERR_BAD_REQUEST');
});

t.test('a long server name reaches the route (no 414)', async (t) => {
  const { app } = await testApp(t);
  const name = `io.github.${'a'.repeat(150)}%2F${'b'.repeat(60)}`;
  assertProblem(t, await app.inject(`/v0.1/servers/${name}/versions`), 404, /bbbb" not found/);
});

t.test('an unexpected error is a generic 500, logged with its stack', async (t) => {
  const catalog = sampleCatalog();
  const failing: CatalogReader = {
    aggregated: () => {
      throw new Error('connection to db.internal:5432 failed (password=hunter2)');
    },
    registry: (name) => catalog.registry(name),
    registryNames: () => catalog.registryNames(),
  };
  const { app, logs } = await testApp(t, { catalog: failing });
  const response = await app.inject({ url: '/v0.1/servers', headers: { 'x-request-id': 'trace-500' } });
  const body = assertProblem(t, response, 500, 'An unexpected error occurred while handling the request.');
  t.equal(body['code'], 'THV_ERR_INTERNAL');
  t.notMatch(response.body, /hunter2|db\.internal/, 'nothing about the cause leaks');
  const logged = logs.find((line) => line['msg'] === 'request failed');
  t.match(logged, { level: 50, reqId: 'trace-500', err: { message: /hunter2/, stack: /Error/ } }, 'the cause is in the log, with the request id');
});

t.test('an overloaded server answers 503 problems with Retry-After', async (t) => {
  const { app } = await testApp(t, {
    underPressure: { healthCheck: async () => false, healthCheckInterval: 60_000, retryAfter: 7 },
  });
  const response = await app.inject('/v0.1/servers');
  assertProblem(t, response, 503, /overloaded/);
  t.equal(response.headers['retry-after'], '7');
});

t.test('toProblem maps registry errors and fastify client errors', async (t) => {
  t.same(toProblem(new StorageError('snapshot of "alpha" is corrupt')), {
    type: 'about:blank',
    title: 'Storage failed',
    status: 500,
    detail: 'snapshot of "alpha" is corrupt',
    code: 'THV_ERR_STORAGE',
  });
  const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
  t.match(toProblem(tooLarge), { status: 413, title: 'Payload Too Large', detail: 'Request body is too large' });
  t.match(toProblem('a thrown string'), { status: 500, code: 'THV_ERR_INTERNAL' });
});

t.test('no error body carries a stack trace', async (t) => {
  const { app } = await testApp(t);
  for (const url of ['/nope', '/v0.1/servers?limit=0', '/v0.1/servers?cursor=x', '/v0.1/servers/%E0%A4%A/versions', '/api/v0/deployed']) {
    assertNoStack(t, await app.inject(url));
  }
});
