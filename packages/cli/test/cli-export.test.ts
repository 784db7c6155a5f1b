import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { compareUtf8, parseDocument, toolhiveTags, type ParsedDocument, type ServerJSON } from '@thv/registry-core/host';
import { runCli, ServeProcess } from './helpers/cli.js';
import { copyExample, sampleRegistry, TOOLHIVE_PREFIX, writeConfig } from './helpers/fixtures.js';
import { get, type ServerListBody } from './helpers/http.js';

const TWO_REGISTRIES = [
  'dataDir: ./data',
  'registries:',
  '  - name: toolhive',
  '    source: { type: file, format: toolhive, file: { path: ./registry.json } }',
  '    syncPolicy: { interval: 1h }',
  '  - name: upstream',
  '    source: { type: file, format: upstream, file: { path: ./upstream-registry.json } }',
  '    syncPolicy: { interval: 1h }',
  '',
].join('\n');

const dir = t.testdir();
let config = '';

t.before(async () => {
  await copyExample(dir, 'registry.json');
  await copyExample(dir, 'upstream-registry.json');
  config = await writeConfig(dir, TWO_REGISTRIES);
});

/** `export --config <config> --log-level warn …` */
function runExport(t: Test, ...args: string[]) {
  return runCli(t, ['export', '--config', config, '--log-level', 'warn', ...args]);
}

function readJson<T>(path: string): Promise<T> {
  return readFile(path, 'utf8').then((text) => JSON.parse(text) as T);
}

/** `name@version` of parsed entries, sorted. */
function keys(parsed: ParsedDocument): string[] {
  return parsed.entries.map(({ server }) => `${server.name}@${server.version}`).sort();
}

t.test('before any sync there is nothing to export (exit 1)', async (t) => {
  const result = await runExport(t, '--registry', 'toolhive', '--format', 'upstream', '--out', join(dir, 'early.json'));
  t.equal(result.code, 1, result.stderr);
  t.match(result.stderr, 'registry toolhive has no committed data; run sync first');
  t.same(await readdir(dir).then((names) => names.filter((name) => name.includes('early'))), [], 'nothing written');
});

t.test('usage errors exit 2', async (t) => {
  const out = join(dir, 'usage.json');
  const unknown = await runExport(t, '--registry', 'nope', '--format', 'upstream', '--out', out);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, 'unknown registry "nope": the config has "toolhive", "upstream"');

  const noRegistry = await runExport(t, '--format', 'upstream', '--out', out);
  t.equal(noRegistry.code, 2);
  t.match(noRegistry.stderr, '--registry is required: the config has "toolhive", "upstream"');

  const badFormat = await runExport(t, '--registry', 'toolhive', '--format', 'yaml', '--out', out);
  t.equal(badFormat.code, 2);
  t.match(badFormat.stderr, /Expected --format=yaml to be one of: upstream, toolhive, static/);

  const staticToStdout = await runExport(t, '--registry', 'toolhive', '--format', 'static', '--out', '-');
  t.equal(staticToStdout.code, 2);
  t.match(staticToStdout.stderr, 'static writes a directory');

  const noOut = await runExport(t, '--registry', 'toolhive', '--format', 'upstream');
  t.equal(noOut.code, 2);
});

t.test('sync commits both registries', async (t) => {
  const result = await runCli(t, ['sync', '--config', config, '--log-level', 'warn']);
  t.equal(result.code, 0, result.stderr);
});

t.test('upstream: every version, re-importable to the same servers', async (t) => {
  const out = join(dir, 'upstream-export.json');
  const result = await runExport(t, '--registry', 'upstream', '--format', 'upstream', '--out', out);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, `registry upstream: exported 3 servers, 6 versions as upstream to ${out}`);

  const document = await readJson<Record<string, unknown>>(out);
  const original = await readJson<Record<string, unknown>>(join(dir, 'upstream-registry.json'));
  t.equal(document['$schema'], original['$schema'], 'the upstream wrapped file schema of the example');
  t.match(document, { version: '1.0.0', meta: { last_updated: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ } });

  const reimported = parseDocument(document);
  t.equal(reimported.format, 'upstream-wrapped');
  t.same(reimported.skipped, []);
  const expected = parseDocument(original);
  t.same(keys(reimported), keys(expected));
  const byKey = (parsed: ParsedDocument) => new Map(parsed.entries.map(({ server }) => [`${server.name}@${server.version}`, server]));
  const expectedServers = byKey(expected);
  for (const [key, server] of byKey(reimported)) t.same(server, expectedServers.get(key), `${key} is the same server.json`);
  const order = reimported.entries.map(({ server }) => server);
  const sorted = [...order].sort((a, b) => compareUtf8(a.name, b.name) || compareUtf8(a.version, b.version));
  t.same(order, sorted, 'in (name, version) order');

  const piped = await runExport(t, '--registry', 'upstream', '--format', 'upstream', '--out', '-');
  t.equal(piped.code, 0, piped.stderr);
  const fromStdout = JSON.parse(piped.stdout) as { data: { servers: ServerJSON[] } };
  t.same(fromStdout.data, document['data'], '--out - writes the same document to stdout, and nothing else');
  t.match(piped.stderr, 'registry upstream: exported 3 servers, 6 versions as upstream to stdout');
});

t.test('toolhive: the latest of each server, re-importable with its tags', async (t) => {
  const out = join(dir, 'toolhive-export.json');
  const result = await runExport(t, '--registry', 'toolhive', '--format', 'toolhive', '--out', out);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, 'registry toolhive: exported 12 servers (9 container, 3 remote) as toolhive');
  t.equal(result.stderr, '', 'no warnings');

  const document = await readJson<Record<string, Record<string, unknown>>>(out);
  const sample = sampleRegistry();
  t.equal(document['$schema'], sample['$schema']);
  t.same(Object.keys(document['servers'] ?? {}).sort(), Object.keys(sample.servers).sort());
  t.same(Object.keys(document['remote_servers'] ?? {}).sort(), Object.keys(sample.remote_servers ?? {}).sort());

  const reimported = parseDocument(document);
  t.equal(reimported.format, 'toolhive');
  t.same(reimported.skipped, []);
  const expected = parseDocument(sample);
  t.same(keys(reimported), keys(expected));
  const tagsOf = (parsed: ParsedDocument) =>
    Object.fromEntries(parsed.entries.map(({ server }) => [server.name, toolhiveTags(server)]));
  t.same(tagsOf(reimported), tagsOf(expected), 'the tags survive the round trip');
  for (const [key, entry] of Object.entries(sample.servers)) {
    t.same(toolhiveTags(reimported.entries.find(({ server }) => server.name === TOOLHIVE_PREFIX + key)?.server as ServerJSON), entry['tags'] ?? []);
  }
  const deprecated = (parsed: ParsedDocument) => parsed.entries.filter((entry) => entry.official?.status === 'deprecated').map(({ server }) => server.name);
  t.same(deprecated(reimported), deprecated(expected), 'deprecated servers stay deprecated');
  t.ok(deprecated(reimported).length > 0);
});

t.test('toolhive: servers the format cannot describe are skipped with a warning', async (t) => {
  const result = await runExport(t, '--registry', 'upstream', '--format', 'toolhive', '--out', '-');
  t.equal(result.code, 0, result.stderr);
  t.match(result.stderr, /warning: skipped com\.example\/weather 2\.0\.0-beta\.1: .*no OCI package and no remote/);
  t.match(result.stderr, 'registry upstream: exported 2 servers (1 container, 1 remote) as toolhive to stdout; 1 skipped');
  const reimported = parseDocument(JSON.parse(result.stdout));
  t.same(reimported.entries.map(({ server }) => server.name).sort(), ['com.example/translate', 'io.github.example-org/notes']);
});

/**
 * A static file server that maps a URL the way the documented nginx configuration does
 * (`try_files $uri/index.json`): the path is percent-decoded, `%2F` included, and
 * `<root><decoded path>/index.json` is served.
 */
async function staticServer(t: Test, root: string): Promise<string> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const segments = path.split('/').filter((segment) => segment !== '');
    if (segments.some((segment) => segment === '.' || segment === '..')) {
      response.writeHead(400).end();
      return;
    }
    readFile(join(root, ...segments, 'index.json')).then(
      (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(body),
      () => response.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Every URL of the read API for the servers of a list: versions, each version, latest. */
function apiPaths(list: ServerListBody): string[] {
  const paths = ['/v0.1/servers'];
  for (const name of new Set(list.servers.map(({ server }) => server.name))) {
    const base = `/v0.1/servers/${encodeURIComponent(name)}/versions`;
    paths.push(base, `${base}/latest`);
    for (const { server } of list.servers.filter(({ server }) => server.name === name)) paths.push(`${base}/${encodeURIComponent(server.version)}`);
  }
  return paths;
}

t.test('static: a tree a static web server serves byte for byte as the live API', async (t) => {
  const sites = { toolhive: join(dir, 'site-toolhive'), upstream: join(dir, 'site-upstream') };
  for (const [registry, out] of Object.entries(sites)) {
    const result = await runExport(t, '--registry', registry, '--format', 'static', '--out', out);
    t.equal(result.code, 0, result.stderr);
    t.match(result.stdout, new RegExp(`registry ${registry}: exported \\d+ servers, \\d+ versions, \\d+ files as static to `));
  }
  t.ok(
    (await readdir(join(sites.toolhive, 'v0.1', 'servers', 'io.github.stacklok'))).includes('acme-postgres'),
    '%2F is decoded by static servers, so the namespace is a directory',
  );

  const live = await ServeProcess.start(t, config);
  for (const [registry, out] of Object.entries(sites)) {
    const site = await staticServer(t, out);
    const list = await get<ServerListBody>(`${site}/v0.1/servers`);
    t.equal(list.status, 200);
    t.notOk(list.body.metadata.nextCursor, 'one page');
    const paths = apiPaths(list.body);
    if (registry === 'toolhive') {
      t.ok(paths.includes('/v0.1/servers/io.github.stacklok%2Facme-postgres/versions/latest'));
    } else {
      t.ok(paths.includes('/v0.1/servers/com.example%2Fweather/versions/1.1.0'));
    }
    for (const path of paths) {
      const [fromSite, fromLive] = await Promise.all([get(`${site}${path}`), get(`${live.baseUrl}/registry/${registry}${path}`)]);
      t.equal(fromLive.status, 200, `live ${registry} ${path}`);
      t.equal(fromSite.status, 200, `static ${registry} ${path}`);
      t.equal(fromSite.text, fromLive.text, `${registry} ${path}: the same bytes`);
    }
    t.equal((await get(`${site}/v0.1/servers/io.github.stacklok%2Fnope/versions`)).status, 404);
  }
  t.same(await live.stop(), { code: 0, signal: null });

  // With one registry, the unprefixed routes serve the same bytes as its static tree.
  const single = await writeConfig(
    dir,
    ['dataDir: ./data', 'registryName: toolhive', 'source: { type: file, format: toolhive, file: { path: ./registry.json } }', ''].join('\n'),
    'single.yaml',
  );
  const liveSingle = await ServeProcess.start(t, single);
  const site = await staticServer(t, sites.toolhive);
  for (const path of ['/v0.1/servers', '/v0.1/servers/io.github.stacklok%2Facme-postgres/versions/latest']) {
    const [fromSite, fromLive] = await Promise.all([get(`${site}${path}`), get(`${liveSingle.baseUrl}${path}`)]);
    t.equal(fromSite.text, fromLive.text, `${path}: the same bytes as the single-registry server`);
  }
  t.same(await liveSingle.stop(), { code: 0, signal: null });
});

t.test('an existing output is replaced only with --force', async (t) => {
  const out = join(dir, 'forced');
  await mkdir(out);
  const intoEmpty = await runExport(t, '--registry', 'upstream', '--format', 'static', '--out', out);
  t.equal(intoEmpty.code, 0, `an empty directory is fine: ${intoEmpty.stderr}`);

  await writeFile(join(out, 'stray.txt'), 'left over');
  const refused = await runExport(t, '--registry', 'toolhive', '--format', 'static', '--out', out);
  t.equal(refused.code, 2);
  t.match(refused.stderr, `--out ${out} already exists and is not empty; use --force to replace it`);
  t.ok((await readdir(out)).includes('stray.txt'), 'left untouched');

  const forced = await runExport(t, '--registry', 'toolhive', '--format', 'static', '--out', out, '--force');
  t.equal(forced.code, 0, forced.stderr);
  t.same(await readdir(out), ['v0.1'], 'the old content is gone');
  const list = await readJson<ServerListBody>(join(out, 'v0.1', 'servers', 'index.json'));
  t.ok(list.servers.every(({ server }) => server.name.startsWith(TOOLHIVE_PREFIX)), 'the new registry is there');
  t.same((await readdir(dir)).filter((name) => name.startsWith('.forced')), [], 'no temporary directories left');

  const file = join(dir, 'existing.json');
  await writeFile(file, '{"keep":true}');
  const fileRefused = await runExport(t, '--registry', 'upstream', '--format', 'upstream', '--out', file);
  t.equal(fileRefused.code, 2);
  t.equal(await readFile(file, 'utf8'), '{"keep":true}');
  const fileForced = await runExport(t, '--registry', 'upstream', '--format', 'upstream', '--out', file, '--force');
  t.equal(fileForced.code, 0, fileForced.stderr);
  t.equal(parseDocument(await readJson(file)).entries.length, 6);

  const overDirectory = await runExport(t, '--registry', 'upstream', '--format', 'upstream', '--out', out, '--force');
  t.equal(overDirectory.code, 2);
  t.match(overDirectory.stderr, `--out ${out} is a directory`);
});
