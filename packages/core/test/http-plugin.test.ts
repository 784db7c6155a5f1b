import Fastify from 'fastify';
import t from 'tap';
import { registryApi } from '../src/http/registry-api.js';
import { sampleCatalog } from './helpers/http-app.js';
import { assertProblem, keysOf, type ServerListBody } from './helpers/http-assert.js';

t.test('registryApi under a prefix inside another fastify app', async (t) => {
  const host = Fastify();
  t.teardown(() => host.close());
  host.get('/own', async () => {
    throw new Error('the host handles its own errors');
  });
  await host.register(registryApi, {
    prefix: '/registry-api',
    catalog: sampleCatalog(),
    readiness: () => ({ ready: true, notReady: [] }),
    info: { version: '0.0.1' },
  });

  const list = await host.inject('/registry-api/v0.1/servers?search=weather');
  t.equal(list.statusCode, 200);
  t.equal(keysOf(list.json<ServerListBody>()).length, 3);
  const detail = await host.inject('/registry-api/registry/alpha/v0.1/servers/io.github.example%2Fweather/versions/latest');
  t.equal(detail.statusCode, 200);
  t.equal((await host.inject('/registry-api/health')).statusCode, 200);

  assertProblem(t, await host.inject('/registry-api/v0.1/servers?limit=0'), 400, /"limit"/);
  assertProblem(t, await host.inject('/registry-api/v0.1/servers/a%2Fb/versions'), 404, /"a\/b" not found/);
  assertProblem(t, await host.inject('/registry-api/api/v0/deployed'), 404, /kubernetes source/);

  const own = await host.inject('/own');
  t.equal(own.statusCode, 500);
  t.match(own.headers['content-type'], /^application\/json/, 'the problem handler does not leak into the host');
  t.equal((await host.inject('/v0.1/servers')).statusCode, 404, 'nothing is registered outside the prefix');

  const document = (await host.inject('/registry-api/openapi.json')).json<{ paths: Record<string, unknown> }>();
  const paths = Object.keys(document.paths);
  t.ok(paths.length > 0);
  t.ok(paths.every((path) => path.startsWith('/registry-api/')), 'documented paths carry the prefix');
  t.ok(paths.includes('/registry-api/v0.1/servers/{serverName}/versions/{version}'));
});
