import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildEmbedApp, REGISTRY_NAME } from '../src/app.js';

interface ServerList {
  servers: { server: { name: string; version: string }; _meta: Record<string, { isLatest?: boolean; status?: string }> }[];
  metadata: { count: number; nextCursor?: string };
}

const OFFICIAL = 'io.modelcontextprotocol.registry/official';

t.test('the application keeps its own routes', async (t) => {
  const app = await buildEmbedApp();
  t.teardown(() => app.close());

  const home = await app.inject({ method: 'GET', url: '/' });
  t.equal(home.statusCode, 200);
  t.same(home.json(), {
    service: 'acme-portal',
    servers: 12,
    links: { registry: '/mcp/v0.1/servers', openapi: '/mcp/openapi.json', health: '/healthz' },
  });

  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'ok' });

  // Outside /mcp the host's own not-found handling applies, not the registry's problem+json.
  const missing = await app.inject({ method: 'GET', url: '/nope' });
  t.equal(missing.statusCode, 404);
  t.notMatch(String(missing.headers['content-type']), /problem\+json/);
});

t.test('the registry API answers under /mcp', async (t) => {
  const app = await buildEmbedApp();
  t.teardown(() => app.close());

  const list = await app.inject({ method: 'GET', url: '/mcp/v0.1/servers' });
  t.equal(list.statusCode, 200);
  const body = list.json<ServerList>();
  t.equal(body.servers.length, 12, 'the 12 sample servers');
  t.equal(body.metadata.count, 12);
  t.notOk(body.metadata.nextCursor, 'one page');
  t.ok(body.servers.every(({ server }) => server.name.startsWith('io.github.stacklok/')), 'ToolHive names converted');
  t.ok(body.servers.every(({ _meta }) => _meta[OFFICIAL]?.isLatest === true), 'each version is the latest of its server');

  const first = body.servers[0]!.server;
  const latest = await app.inject({ method: 'GET', url: `/mcp/v0.1/servers/${encodeURIComponent(first.name)}/versions/latest` });
  t.equal(latest.statusCode, 200);
  t.equal(latest.json<{ server: { version: string } }>().server.version, first.version);

  const page = await app.inject({ method: 'GET', url: '/mcp/v0.1/servers?limit=5' });
  t.equal(page.json<ServerList>().servers.length, 5);
  t.type(page.json<ServerList>().metadata.nextCursor, 'string', 'paged');

  const search = await app.inject({ method: 'GET', url: '/mcp/v0.1/servers?search=postgres' });
  t.ok(search.json<ServerList>().servers.length >= 1, 'search works');

  const one = await app.inject({ method: 'GET', url: `/mcp/registry/${REGISTRY_NAME}/v0.1/servers` });
  t.equal(one.json<ServerList>().servers.length, 12, 'the per-registry view');

  const registries = await app.inject({ method: 'GET', url: '/mcp/v0.1/x/dev.toolhive/registries' });
  t.equal(registries.statusCode, 200);
  t.match(registries.json(), { registries: [{ name: REGISTRY_NAME }] });

  const ready = await app.inject({ method: 'GET', url: '/mcp/readiness' });
  t.equal(ready.statusCode, 200);

  const openapi = await app.inject({ method: 'GET', url: '/mcp/openapi.json' });
  t.equal(openapi.statusCode, 200);
  t.match(openapi.json(), { openapi: /^3\.1/ });
});

t.test('errors inside /mcp are problem+json', async (t) => {
  const app = await buildEmbedApp();
  t.teardown(() => app.close());

  const unknown = await app.inject({ method: 'GET', url: '/mcp/v0.1/servers/io.github.stacklok%2Fnope/versions/latest' });
  t.equal(unknown.statusCode, 404);
  t.match(String(unknown.headers['content-type']), /application\/problem\+json/);
  t.match(unknown.json(), { status: 404, code: /^THV_ERR_/ });

  const badLimit = await app.inject({ method: 'GET', url: '/mcp/v0.1/servers?limit=0' });
  t.equal(badLimit.statusCode, 400);
  t.match(String(badLimit.headers['content-type']), /application\/problem\+json/);
});

t.test('another registry file can be served', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'thv-embed-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'registry.json');
  const server = {
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
    name: 'io.example/hello',
    description: 'Says hello',
    version: '1.0.0',
  };
  await writeFile(file, JSON.stringify([server, { name: 'broken' }]));

  const app = await buildEmbedApp({ registryFile: file });
  t.teardown(() => app.close());
  const list = await app.inject({ method: 'GET', url: '/mcp/v0.1/servers' });
  t.same(
    list.json<ServerList>().servers.map(({ server }) => `${server.name}@${server.version}`),
    ['io.example/hello@1.0.0'],
    'the valid entry is served, the invalid one skipped',
  );
});
