import t from 'tap';
import type { DeployedServer } from '../src/interfaces/source.js';
import { testApp } from './helpers/http-app.js';
import { assertProblem, type ServerResponseBody } from './helpers/http-assert.js';

t.test('/health, /version', async (t) => {
  const { app } = await testApp(t);
  const health = await app.inject('/health');
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'ok' });
  t.same((await app.inject('/version')).json(), { version: '1.2.3', commit: 'abc123', nodeVersion: process.version });
});

t.test('/readiness: 503 problem naming the registries without data, then 200', async (t) => {
  const { app, readiness } = await testApp(t);
  readiness.ready = false;
  readiness.notReady = ['beta', 'gamma'];
  const waiting = await app.inject('/readiness');
  const body = assertProblem(t, waiting, 503, /"beta", "gamma"/);
  t.equal(body['code'], 'THV_ERR_NOT_READY');
  t.match(body['errors'], [{ path: 'beta' }, { path: 'gamma' }]);

  readiness.reason = 'storage unavailable: connection refused';
  assertProblem(t, await app.inject('/readiness'), 503, /storage unavailable: connection refused; registries without data yet: "beta", "gamma"/);

  readiness.ready = true;
  readiness.notReady = [];
  delete readiness.reason;
  const ready = await app.inject('/readiness');
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready', degraded: [] });
});

t.test('/api/v0: the latest version of every server, of one, and no deployments', async (t) => {
  const { app } = await testApp(t);
  const list = (await app.inject('/api/v0/servers')).json<{ servers: ServerResponseBody[]; total: number }>();
  t.equal(list.total, 44, '4 alpha servers with a visible version and 40 beta servers');
  t.equal(list.servers.length, 44);
  t.ok(list.servers.every((s) => s._meta['io.modelcontextprotocol.registry/official']?.['isLatest'] === true));
  t.ok(list.servers.some((s) => s.server.name === 'io.github.example/weather' && s.server.version === '2.0.0'));

  const one = await app.inject('/api/v0/servers/io.github.example%2Fweather');
  t.equal(one.statusCode, 200);
  t.equal(one.json<ServerResponseBody>().server.version, '2.0.0');
  assertProblem(t, await app.inject('/api/v0/servers/io.github.gone%2Fold'), 404, /"io\.github\.gone\/old" not found/);

  const deployed = assertProblem(t, await app.inject('/api/v0/deployed'), 404, /deployed servers need a kubernetes source/);
  t.equal(deployed['code'], 'THV_ERR_NOT_FOUND');
  assertProblem(t, await app.inject('/api/v0/deployed/io.github.example%2Fweather'), 404, /need a kubernetes source/);
});

t.test('/api/v0/deployed: the instances the sources see, and those of one server name', async (t) => {
  const running: DeployedServer[] = [
    { name: 'weather', namespace: 'team-b', kind: 'MCPServer', serverName: 'io.github.example/weather', exported: true, ready: true },
    { name: 'scratch', namespace: 'team-a', kind: 'MCPServer', exported: false, phase: 'Pending', ready: false },
    { name: 'weather', namespace: 'team-a', kind: 'MCPRemoteProxy', serverName: 'io.github.example/weather', exported: false },
  ];
  const { app } = await testApp(t, { deployed: () => running });

  const all = await app.inject('/api/v0/deployed');
  t.equal(all.statusCode, 200);
  const body = all.json<{ servers: DeployedServer[]; total: number }>();
  t.equal(body.total, 3);
  t.same(body.servers.map((s) => `${s.namespace}/${s.name}/${s.kind}`), ['team-a/scratch/MCPServer', 'team-a/weather/MCPRemoteProxy', 'team-b/weather/MCPServer'], 'in namespace, name and kind order');
  t.same(body.servers[0], running[1], 'every field as the source reports it');

  const one = (await app.inject('/api/v0/deployed/io.github.example%2Fweather')).json<{ servers: DeployedServer[]; total: number }>();
  t.same(one.servers.map((s) => s.namespace), ['team-a', 'team-b'], 'both namespaces that run it');
  assertProblem(t, await app.inject('/api/v0/deployed/io.github.example%2Fnone'), 404, /no deployed instance of server "io\.github\.example\/none"/);

  running.length = 0;
  t.same((await app.inject('/api/v0/deployed')).json(), { servers: [], total: 0 }, 'none running: an empty list, not a 404');
});

t.test('/openapi.json documents every route, and every documented route exists', async (t) => {
  const { app } = await testApp(t);
  const response = await app.inject('/openapi.json');
  t.equal(response.statusCode, 200);
  const document = response.json<{ openapi: string; paths: Record<string, { get?: unknown }> }>();
  t.equal(document.openapi, '3.1.0');
  const official = ['/servers', '/servers/{serverName}/versions', '/servers/{serverName}/versions/{version}'];
  const expected = [
    ...official.map((path) => `/v0.1${path}`),
    ...official.map((path) => `/v0${path}`),
    ...official.map((path) => `/registry/{registryName}/v0.1${path}`),
    '/api/v0/servers',
    '/api/v0/servers/{name}',
    '/api/v0/deployed',
    '/api/v0/deployed/{name}',
    '/v0.1/x/dev.toolhive/registries',
    '/v0.1/x/dev.toolhive/registries/{registryName}',
    '/health',
    '/readiness',
    '/version',
    '/openapi.json',
  ];
  t.same(Object.keys(document.paths).sort(), expected.sort());
  for (const [path, item] of Object.entries(document.paths)) {
    t.ok(item.get, `${path} has a GET operation`);
    const url = path.replace('{registryName}', 'alpha').replace(/\{\w+\}/g, 'io.github.example%2Fweather');
    const reached = await app.inject(url);
    t.notMatch(reached.body, /no route matches/, `${path} is served`);
  }
  t.match(document.paths['/v0.1/servers'], {
    get: {
      parameters: [
        { name: 'cursor', in: 'query' },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 30 } },
        { name: 'search' },
        { name: 'updated_since', schema: { format: 'date-time' } },
        { name: 'version' },
        { name: 'include_deleted', schema: { type: 'boolean' } },
      ],
      responses: {
        200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ServerList' } } } },
        400: { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    },
  });
  t.match(document.paths['/registry/{registryName}/v0.1/servers/{serverName}/versions'], {
    get: { parameters: [{ name: 'registryName', in: 'path', required: true }, { name: 'serverName', in: 'path' }, { name: 'include_deleted' }] },
  });
});

t.test('CORS: reads from any origin, and preflight', async (t) => {
  const { app } = await testApp(t);
  const origin = { origin: 'https://ui.example.com' };
  const get = await app.inject({ url: '/v0.1/servers?limit=1', headers: origin });
  t.equal(get.headers['access-control-allow-origin'], '*');
  t.match(get.headers['access-control-expose-headers'], /ETag/);
  const problem = await app.inject({ url: '/nope', headers: origin });
  t.equal(problem.headers['access-control-allow-origin'], '*', 'errors are readable cross-origin too');

  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v0.1/servers',
    headers: { ...origin, 'access-control-request-method': 'GET' },
  });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], '*');
  t.match(preflight.headers['access-control-allow-methods'], /GET/);
  t.notMatch(preflight.headers['access-control-allow-methods'], /POST|PUT|DELETE/);
});

t.test('one info log line per request, with method, url, status and duration', async (t) => {
  const { app, logs } = await testApp(t);
  await app.inject('/health');
  await app.inject('/v0.1/servers?limit=0');
  await app.inject('/v0.1/servers/%E0%A4%A/versions');
  t.equal(logs.length, 3, 'no "incoming request" lines');
  t.match(logs, [
    { level: 30, msg: 'request completed', method: 'GET', url: '/health', statusCode: 200, durationMs: Number },
    { level: 30, url: '/v0.1/servers?limit=0', statusCode: 400 },
    { level: 30, url: '/v0.1/servers/%E0%A4%A/versions', statusCode: 400 },
  ]);
});

t.test('the request line carries the request id once, from X-Request-Id or generated', async (t) => {
  const { app, logs, rawLogs } = await testApp(t);
  await app.inject({ url: '/health', headers: { 'x-request-id': 'trace-42' } });
  await app.inject('/health');
  t.match(logs, [{ reqId: 'trace-42', msg: 'request completed' }, { reqId: /^req-/ }]);
  t.equal(rawLogs[0]?.match(/"reqId"/g)?.length, 1);
});

t.test('a host writes the request line its own way through requestLine', async (t) => {
  const written: unknown[] = [];
  const { app, logs } = await testApp(t, { requestLine: (_log, line) => written.push(line) });
  await app.inject({ url: '/health', headers: { 'x-request-id': 'r1' } });
  t.same(written, [{ reqId: 'r1', method: 'GET', url: '/health', statusCode: 200, durationMs: (written[0] as { durationMs: number }).durationMs }]);
  t.same(logs, [], 'nothing else is logged for it');
});
