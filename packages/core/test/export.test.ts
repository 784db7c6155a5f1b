import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { Catalog } from '../src/catalog/catalog.js';
import { compareUtf8 } from '../src/catalog/byte-order.js';
import { RegistryError } from '../src/errors.js';
import { exportStaticSite } from '../src/export/static-export.js';
import { exportToolhive, TOOLHIVE_REGISTRY_SCHEMA_URL } from '../src/export/toolhive-export.js';
import { exportUpstream, UPSTREAM_REGISTRY_SCHEMA_URL } from '../src/export/upstream-export.js';
import { outputProblem, writeFileAtomically, writeTreeAtomically } from '../src/export/write-output.js';
import { toolhiveMeta, toolhiveTags } from '../src/formats/toolhive-meta.js';
import { parseDocument } from '../src/formats/parse.js';
import { serverListJson } from '../src/http/server-list.js';
import type { CatalogView } from '../src/interfaces/catalog.js';
import type { ServerJSON, ServerStatus, StoredEntry } from '../src/interfaces/model.js';
import { generateEntries } from './helpers/generate-entries.js';

const NOW = new Date('2026-03-04T05:06:07.890Z');

/** A stored entry around `server`, published on 2025-01-<day>. */
function stored(server: ServerJSON, status: ServerStatus = 'active', day = 1): StoredEntry {
  const at = `2025-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
  return { server, status, publishedAt: at, updatedAt: at, statusChangedAt: at, contentHash: `${server.name}@${server.version}` };
}

/** A server run from an OCI image, with ToolHive tags. */
function container(name: string, version: string, tags: string[] = ['database']): ServerJSON {
  const image = `ghcr.io/example/${name.split('/')[1]}:${version}`;
  return {
    name,
    version,
    description: `The ${name} server`,
    packages: [{ registryType: 'oci', identifier: image, transport: { type: 'stdio' } }],
    _meta: toolhiveMeta(image, { status: 'Active', tier: 'Community', tags, tools: ['query'] }),
  };
}

function remote(name: string, version: string): ServerJSON {
  return { name, version, description: `The ${name} server`, remotes: [{ type: 'streamable-http', url: `https://${name.split('/')[1]}.example.com/mcp` }] };
}

function npmOnly(name: string, version: string): ServerJSON {
  return {
    name,
    version,
    description: `The ${name} server`,
    packages: [{ registryType: 'npm', identifier: `@example/${name.split('/')[1]}`, version, transport: { type: 'stdio' } }],
  };
}

function viewOf(entries: readonly StoredEntry[]): CatalogView {
  const catalog = new Catalog(['one']);
  catalog.setRegistry('one', entries);
  return catalog.registry('one') as CatalogView;
}

const MIXED = [
  stored(container('io.github.acme/db', '1.0.0'), 'active', 1),
  stored(container('io.github.acme/db', '1.1.0', ['database', 'sql']), 'active', 2),
  stored(container('io.github.acme/db', '2.0.0'), 'deleted', 3),
  stored(remote('com.example/search', '1.0.0'), 'deprecated'),
  stored(npmOnly('com.example/weather', '1.0.0')),
  stored(container('io.github.other/db', '0.1.0')),
  stored(container('io.github.acme/gone', '1.0.0'), 'deleted'),
];

t.test('upstream: every non-deleted version in (name, version) order, re-importable', async (t) => {
  const view = viewOf(MIXED);
  const result = exportUpstream(view, { now: NOW });
  t.equal(result.document.$schema, UPSTREAM_REGISTRY_SCHEMA_URL);
  t.equal(result.document.version, '1.0.0');
  t.same(result.document.meta, { last_updated: '2026-03-04T05:06:07Z' });
  t.same(
    result.document.data.servers.map((server) => `${server.name}@${server.version}`),
    ['com.example/search@1.0.0', 'com.example/weather@1.0.0', 'io.github.acme/db@1.0.0', 'io.github.acme/db@1.1.0', 'io.github.other/db@0.1.0'],
  );
  t.equal(result.servers, 4);
  t.equal(result.versions, 5);
  const reimported = parseDocument(JSON.parse(JSON.stringify(result.document)));
  t.equal(reimported.format, 'upstream-wrapped');
  t.same(reimported.skipped, []);
  t.same(
    reimported.entries.map((entry) => entry.server),
    MIXED.filter((entry) => entry.status !== 'deleted')
      .map((entry) => entry.server)
      .sort((a, b) => compareUtf8(a.name, b.name) || compareUtf8(a.version, b.version)),
  );
});

t.test('upstream: a catalog larger than one page is read whole', async (t) => {
  const entries = generateEntries({ servers: 150, versionsPerServer: 2, deletedEvery: 7 });
  const result = exportUpstream(viewOf(entries));
  t.equal(result.versions, entries.filter((entry) => entry.status !== 'deleted').length);
  t.equal(new Set(result.document.data.servers.map((server) => `${server.name}@${server.version}`)).size, result.versions);
});

t.test('toolhive: the latest version of each server; skips say why', async (t) => {
  const result = exportToolhive(viewOf(MIXED), { now: NOW });
  t.equal(result.document.$schema, TOOLHIVE_REGISTRY_SCHEMA_URL);
  t.equal(result.document.last_updated, '2026-03-04T05:06:07Z');
  t.same(Object.keys(result.document.servers), ['db']);
  t.same(Object.keys(result.document.remote_servers), ['search']);
  t.equal(result.document.servers['db']?.image, 'ghcr.io/example/db:1.1.0', 'the latest non-deleted version');
  t.same(result.document.servers['db']?.tags, ['database', 'sql']);
  t.equal(result.document.remote_servers['search']?.status, 'Deprecated', 'a deprecated server is Deprecated');
  t.equal(result.containers, 1);
  t.equal(result.remotes, 1);
  t.match(result.skipped, [
    { name: 'com.example/weather', version: '1.0.0', reason: /no OCI package and no remote/ },
    { name: 'io.github.other/db', version: '0.1.0', reason: 'its key "db" is already used by io.github.acme/db' },
  ]);

  const reimported = parseDocument(JSON.parse(JSON.stringify(result.document)));
  t.same(reimported.skipped, []);
  t.same(reimported.entries.map((entry) => `${entry.server.name}@${entry.server.version}`).sort(), [
    'com.example/search@1.0.0',
    'io.github.acme/db@1.1.0',
  ]);
  t.same(toolhiveTags(reimported.entries.find((entry) => entry.server.name === 'io.github.acme/db')?.server as ServerJSON), ['database', 'sql']);
  t.equal(reimported.entries.find((entry) => entry.server.name === 'com.example/search')?.official?.status, 'deprecated');
});

t.test('toolhive: any key is an own property of the document', async (t) => {
  const result = exportToolhive(viewOf([stored(container('io.github.acme/__proto__', '1.0.0'))]));
  t.ok(Object.hasOwn(result.document.servers, '__proto__'));
  t.match(JSON.parse(JSON.stringify(result.document)), { servers: { ['__proto__']: { image: 'ghcr.io/example/__proto__:1.0.0' } } });
});

t.test('static: one index.json per API path, with the API bodies', async (t) => {
  const view = viewOf(MIXED);
  const site = exportStaticSite(view);
  const files = new Map(site.files.map((file) => [file.path, file.body]));
  const db = 'v0.1/servers/io.github.acme/db/versions';
  t.same([...files.keys()].sort(), [
    'v0.1/servers/com.example/search/versions/1.0.0/index.json',
    'v0.1/servers/com.example/search/versions/index.json',
    'v0.1/servers/com.example/search/versions/latest/index.json',
    'v0.1/servers/com.example/weather/versions/1.0.0/index.json',
    'v0.1/servers/com.example/weather/versions/index.json',
    'v0.1/servers/com.example/weather/versions/latest/index.json',
    'v0.1/servers/index.json',
    `${db}/1.0.0/index.json`,
    `${db}/1.1.0/index.json`,
    `${db}/index.json`,
    `${db}/latest/index.json`,
    'v0.1/servers/io.github.other/db/versions/0.1.0/index.json',
    'v0.1/servers/io.github.other/db/versions/index.json',
    'v0.1/servers/io.github.other/db/versions/latest/index.json',
  ], 'no files for deleted versions or servers with only deleted versions');
  const page = view.list({ limit: 100, includeDeleted: false });
  t.equal(files.get('v0.1/servers/index.json'), serverListJson(page.items));
  t.equal(files.get(`${db}/index.json`), serverListJson(view.versions('io.github.acme/db', false) ?? []));
  t.equal(files.get(`${db}/latest/index.json`), view.get('io.github.acme/db', 'latest', false)?.json);
  t.equal(files.get(`${db}/1.0.0/index.json`), view.get('io.github.acme/db', '1.0.0', false)?.json);
  t.equal(site.servers, 4);
  t.equal(site.versions, 5);
  t.same(site.skipped, []);
});

t.test('static: names and versions that cannot be directories get no detail file', async (t) => {
  const site = exportStaticSite(
    viewOf([
      stored(npmOnly('../escape', '1.0.0')),
      stored(npmOnly('index.json/x', '1.0.0')),
      stored(npmOnly('io.github.acme/odd', 'latest'), 'active', 1),
      stored(npmOnly('io.github.acme/odd', '1.0.0'), 'active', 2),
      stored(npmOnly('io.github.acme/odd', 'a/b'), 'active', 3),
      stored(npmOnly('io.github.acme/odd', '..'), 'active', 4),
    ]),
  );
  t.match(site.skipped, [
    { name: '../escape', reason: /a part of its name is "\.\."/ },
    { name: 'index.json/x', reason: /"index\.json", the name of the index files/ },
    { name: 'io.github.acme/odd', version: '..', reason: /the version is "\.\."/ },
    { name: 'io.github.acme/odd', version: 'a/b', reason: /contains "\/"/ },
    { name: 'io.github.acme/odd', version: 'latest', reason: /alias of the latest version/ },
  ]);
  t.ok(site.files.every((file) => !file.path.split('/').includes('..')), 'nothing outside the tree');
  t.ok(site.files.some((file) => file.path === 'v0.1/servers/io.github.acme/odd/versions/1.0.0/index.json'));
  t.equal(JSON.parse(site.files[0]?.body ?? '{}').metadata.count, 6, 'the list still has every version');
});

t.test('writers: atomic, refuse to replace unless forced, leave nothing behind', async (t) => {
  const dir = t.testdir();
  const tree = join(dir, 'nested', 'site');
  const files = [
    { path: 'v0.1/servers/index.json', body: '{"servers":[]}' },
    { path: 'v0.1/servers/a.b/c/versions/index.json', body: '{"x":1}' },
  ];
  t.equal(await outputProblem(tree, 'directory'), undefined);
  await writeTreeAtomically(tree, files);
  t.equal(await readFile(join(tree, 'v0.1/servers/a.b/c/versions/index.json'), 'utf8'), '{"x":1}');

  t.equal(await outputProblem(tree, 'directory'), `${tree} already exists and is not empty`);
  t.equal(await outputProblem(tree, 'directory', { force: true }), undefined);
  t.equal(await outputProblem(tree, 'file', { force: true }), `${tree} is a directory`);
  await t.rejects(writeTreeAtomically(tree, [{ path: 'other/index.json', body: '{}' }]), RegistryError);
  t.same(await readdir(tree), ['v0.1'], 'untouched');

  await writeTreeAtomically(tree, [{ path: 'other/index.json', body: '{}' }], { force: true });
  t.same(await readdir(tree), ['other'], 'replaced whole');
  t.same(await readdir(join(dir, 'nested')), ['site'], 'no temporary or old directory left');

  const empty = join(dir, 'empty');
  await mkdir(empty);
  await writeTreeAtomically(empty, files);
  t.same(await readdir(empty), ['v0.1'], 'an empty directory is replaced without force');

  const file = join(dir, 'out.json');
  await writeFileAtomically(file, 'first\n');
  await t.rejects(writeFileAtomically(file, 'second\n'), { message: `${file} already exists and is not empty` });
  await writeFileAtomically(file, 'second\n', { force: true });
  t.equal(await readFile(file, 'utf8'), 'second\n');
  await writeFile(file, '');
  await writeFileAtomically(file, 'third\n');
  t.equal(await readFile(file, 'utf8'), 'third\n', 'an empty file is replaced without force');
  t.same((await readdir(dir)).sort(), ['empty', 'nested', 'out.json']);

  // A failing write leaves no temporary directory.
  await t.rejects(writeTreeAtomically(join(dir, 'broken'), [{ path: 'a/index.json', body: '1' }, { path: 'a/index.json/x', body: '2' }]));
  t.same((await readdir(dir)).sort(), ['empty', 'nested', 'out.json']);
});
