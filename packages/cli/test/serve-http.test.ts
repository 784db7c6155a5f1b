import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { CLI_PACKAGE_DIR, LEVEL, runCli, ServeProcess } from './helpers/cli.js';
import { copyExample, fileSourceConfig, OFFICIAL, TOOLHIVE_PREFIX, writeConfig } from './helpers/fixtures.js';
import { get, keysOf, type ServerListBody, type ServerResponseBody } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';

const STACK = /\n\s+at .+:\d+:\d+/;
const CLI_VERSION = (JSON.parse(readFileSync(join(CLI_PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/** Waits until /readiness answers 200 (the first sync has committed). */
async function ready(serve: ServeProcess): Promise<void> {
  await pollUntil('readiness 200', async () => ((await get(`${serve.baseUrl}/readiness`)).status === 200 ? true : undefined));
}

t.test('serve config-file: the official read API over real HTTP, then SIGTERM', async (t) => {
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  const config = await writeConfig(dir, fileSourceConfig({ interval: '30m' }));
  const serve = await ServeProcess.start(t, config);
  t.match(serve.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/, 'listens on loopback, on the port the OS chose');
  await ready(serve);

  const list = await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers`);
  t.equal(list.status, 200);
  t.match(list.headers['content-type'], /^application\/json/);
  t.equal(list.body.metadata.count, 12, 'all 12 entries of registry.json');
  t.equal(list.body.servers.length, 12);
  t.notOk('nextCursor' in list.body.metadata, 'one page: no nextCursor');
  const keys = keysOf(list.body);
  t.same(keys, [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))), 'in (name, version) byte order');
  for (const entry of list.body.servers) {
    t.ok(entry.server.name.startsWith(TOOLHIVE_PREFIX), `${entry.server.name}: the converted name`);
    t.match(entry, {
      server: { name: String, version: String, description: String },
      _meta: { [OFFICIAL]: { status: /^(active|deprecated)$/, publishedAt: String, updatedAt: String, isLatest: true } },
    });
    const official = entry._meta[OFFICIAL] as { publishedAt: string };
    t.ok(!Number.isNaN(Date.parse(official.publishedAt)), 'publishedAt is a timestamp');
  }
  t.ok(keys.some((key) => key.startsWith(`${TOOLHIVE_PREFIX}acme-crm-legacy@`)), 'the deprecated acme-crm-legacy is served too');

  const one = await get<ServerResponseBody>(`${serve.baseUrl}/v0.1/servers/${encodeURIComponent(`${TOOLHIVE_PREFIX}acme-postgres`)}/versions/latest`);
  t.equal(one.status, 200);
  t.match(one.body, {
    server: {
      name: `${TOOLHIVE_PREFIX}acme-postgres`,
      title: 'Acme PostgreSQL',
      version: '1.4.2',
      packages: [{ registryType: 'oci', identifier: 'ghcr.io/example-org/acme-postgres-mcp:1.4.2', transport: { type: 'stdio' } }],
    },
    _meta: { [OFFICIAL]: { isLatest: true } },
  });
  const exact = await get<ServerResponseBody>(`${serve.baseUrl}/v0.1/servers/${encodeURIComponent(`${TOOLHIVE_PREFIX}acme-postgres`)}/versions/1.4.2`);
  t.equal(exact.status, 200, 'the exact version too');
  t.same(exact.body, one.body);

  const missing = await get<Problem>(`${serve.baseUrl}/v0.1/servers/${encodeURIComponent(`${TOOLHIVE_PREFIX}nope`)}/versions/latest`);
  t.equal(missing.status, 404, 'an unknown server');
  t.match(missing.headers['content-type'], /^application\/problem\+json/);
  t.match(missing.body, { status: 404, title: String, detail: /nope/ });
  t.notMatch(missing.text, STACK);

  const scoped = await get<ServerListBody>(`${serve.baseUrl}/registry/example/v0.1/servers`);
  t.equal(scoped.status, 200);
  t.equal(scoped.body.metadata.count, 12, 'the one registry holds them all');
  t.same(keysOf(scoped.body), keys);
  t.equal((await get(`${serve.baseUrl}/registry/nope/v0.1/servers`)).status, 404, 'an unknown registry');

  const search = await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers?search=database`);
  t.same(
    search.body.servers.map(({ server }) => server.name),
    ['acme-postgres', 'acme-vector-store', 'sqlite-explorer'].map((key) => `${TOOLHIVE_PREFIX}${key}`),
    'search finds what examples/README.md says',
  );

  const paged: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page += 1) {
    const query = cursor === undefined ? 'limit=5' : `limit=5&cursor=${encodeURIComponent(cursor)}`;
    const body = (await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers?${query}`)).body;
    paged.push(...keysOf(body));
    cursor = body.metadata.nextCursor;
    if (cursor === undefined) break;
  }
  t.same(paged, keys, 'paging with limit=5 walks the same 12 entries');

  const readiness = await get(`${serve.baseUrl}/readiness`);
  t.equal(readiness.status, 200);
  t.same(readiness.body, { status: 'ready', degraded: [] });
  t.equal((await get(`${serve.baseUrl}/health`)).status, 200);
  const version = await get<Record<string, unknown>>(`${serve.baseUrl}/version`);
  t.equal(version.status, 200);
  t.match(version.body, { version: CLI_VERSION, nodeVersion: process.version });

  t.match(await serve.waitForLog('the first sync logged', (line) => line.msg === 'sync committed'), { registry: 'example', count: 12 });

  // A client holding an idle keep-alive connection must not keep the server from stopping.
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  t.equal((await get(`${serve.baseUrl}/health`, agent)).status, 200);

  const exit = await serve.stop('SIGTERM');
  t.same(exit, { code: 0, signal: null }, 'SIGTERM: exit code 0');
  t.match(serve.logs.find((line) => line.msg === 'shutting down'), { signal: 'SIGTERM' });
  t.ok(serve.logs.some((line) => line.msg === 'stopped' && line.level === LEVEL.info), 'a "stopped" log line');
  t.notOk(serve.logs.some((line) => line.level >= LEVEL.error), 'no error logged');
  t.equal(serve.stderr, '', 'nothing on stderr');
  t.same(serve.otherStdout, [], 'stdout is JSON log lines only');
  await t.rejects(get(`${serve.baseUrl}/health`), 'no longer listening');
});

t.test('serve config-multi: aggregated and per-registry views', async (t) => {
  const dir = t.testdir();
  await Promise.all(['config-multi.yaml', 'registry.json', 'upstream-registry.json'].map((name) => copyExample(dir, name)));
  const serve = await ServeProcess.start(t, join(dir, 'config-multi.yaml'));
  await ready(serve);

  const all = await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers`);
  t.equal(all.body.metadata.count, 12, '12 server versions');
  t.equal(new Set(all.body.servers.map(({ server }) => server.name)).size, 9, '9 distinct names');
  t.equal((await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers?version=latest`)).body.metadata.count, 9, 'version=latest: 9');
  t.equal((await get<ServerListBody>(`${serve.baseUrl}/registry/toolhive/v0.1/servers`)).body.metadata.count, 6, 'toolhive: 6 after the filter');
  t.equal((await get<ServerListBody>(`${serve.baseUrl}/registry/upstream/v0.1/servers`)).body.metadata.count, 6, 'upstream: 6');
  t.equal(
    (await get(`${serve.baseUrl}/v0.1/servers/${encodeURIComponent(`${TOOLHIVE_PREFIX}shellbox`)}/versions/latest`)).status,
    404,
    'a filtered-out entry is not served',
  );
  const weather = await get<ServerResponseBody>(`${serve.baseUrl}/v0.1/servers/com.example%2Fweather/versions/latest`);
  t.equal(weather.body.server.version, '2.0.0-beta.1', 'latest follows semver precedence');
  const versions = await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers/com.example%2Fweather/versions`);
  t.same(versions.body.servers.map(({ server }) => server.version), ['2.0.0-beta.1', '1.1.0', '1.0.0'], 'versions, newest first');

  t.same(await serve.stop('SIGINT'), { code: 0, signal: null }, 'SIGINT: exit code 0 too');
  t.ok(serve.logs.some((line) => line.msg === 'stopped'));
});

t.test('serve refuses a bad config or address: exit 2, the path on stderr, no stack trace', async (t) => {
  const dir = t.testdir({ 'registry.json': '{}' });
  const config = await writeConfig(dir, fileSourceConfig().replace('  type: file', '  type: file\n  formt: toolhive'));
  const bad = await runCli(t, ['serve', '--config', config, '--address', '127.0.0.1:0']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, config, 'names the config file');
  t.match(bad.stderr, 'source.formt', 'names the path');
  t.match(bad.stderr, /did you mean "format"\?/);
  t.notMatch(bad.stderr, STACK);
  t.notOk(bad.stdout.includes('"serving"'), 'never served');

  const good = await writeConfig(dir, fileSourceConfig(), 'good.yaml');
  const address = await runCli(t, ['serve', '--config', good, '--address', 'not-an-address']);
  t.equal(address.code, 2, 'a bad --address');
  t.match(address.stderr, /--address/);
  t.notMatch(address.stderr, STACK);

  const noConfig = await runCli(t, ['serve', '--address', '127.0.0.1:0']);
  t.equal(noConfig.code, 2, 'no --config');
  t.match(noConfig.stderr, /config/);
});

t.test('serve on a port already in use: exit 1 naming the address', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const { port } = blocker.address() as AddressInfo;
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  const config = await writeConfig(dir, fileSourceConfig());
  const result = await runCli(t, ['serve', '--config', config, '--address', `127.0.0.1:${port}`]);
  t.equal(result.code, 1);
  t.match(result.stderr, /EADDRINUSE/);
  t.match(result.stderr, `127.0.0.1:${port}`);
  t.notMatch(result.stderr, STACK);
});
