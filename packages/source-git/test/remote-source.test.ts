import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { SourceData, SourceFetchResult } from '@thv/registry-core';
import plugin, { MAX_CACHED_PACKS } from '../src/index.js';
import { capturingLogger, createSource, fetchRequest, registryDocument, registryText } from './context.js';
import {
  commitFile,
  commitFiles,
  createBareRepo,
  forcePush,
  git,
  startGitHttpServer,
  tag,
  type GitHttpServer,
} from './helpers/git-http-server.js';

interface Fixture {
  dir: string;
  bare: string;
  server: GitHttpServer;
  url: string;
  first: string;
}

/** A bare repository `repo.git` with registry.json on main, served over HTTP. */
async function fixture(t: Test, files: Record<string, string> = { 'registry.json': registryText(1) }): Promise<Fixture> {
  const dir = t.testdir({ root: {} });
  const bare = join(dir, 'root', 'repo.git');
  const first = await createBareRepo(bare, files);
  const server = await startGitHttpServer({ root: join(dir, 'root') });
  t.teardown(server.close);
  return { dir, bare, server, url: `${server.url}/repo.git`, first };
}

/** Number of pack downloads (POSTs to git-upload-pack that were not ref listings) since `from`. */
function packRequests(server: GitHttpServer, from = 0): number {
  return server.requests.slice(from).filter((request) => request.method === 'POST').length;
}

function data(result: SourceFetchResult): SourceData {
  if (result.unchanged === true) throw new Error('expected data, got unchanged');
  return result;
}

/** The previous-fetch part of a request, from a result. */
function previousOf(result: SourceData): { fingerprint: string; state: NonNullable<SourceData['state']> } {
  return { fingerprint: result.fingerprint, state: result.state! };
}

t.test('declares the git source plugin', async (t) => {
  t.equal(plugin.kind, 'source');
  t.equal(plugin.type, 'git');
  t.match(plugin.configSchema, { type: 'object', additionalProperties: false, required: ['repository', 'path'] });
});

t.test('reads the default branch of a remote', async (t) => {
  const { dir, bare, url, first } = await fixture(t);
  const source = await createSource({ repository: url, path: 'registry.json' }, dir);
  t.equal(source.describe(), `git ${url} HEAD registry.json`);
  const result = data(await source.fetch(fetchRequest()));
  t.same(result.documents, [registryDocument(1)]);
  const expectedBlob = (await git([`--git-dir=${bare}`, 'rev-parse', `${first}:registry.json`])).stdout.trim();
  t.equal(result.fingerprint, expectedBlob, 'the fingerprint is the blob id');
  t.same(result.state, { repository: url, path: 'registry.json', commit: first, blob: expectedBlob });
});

t.test('the default branch is what the remote HEAD names', async (t) => {
  const dir = t.testdir({ root: {} });
  const bare = join(dir, 'root', 'repo.git');
  await createBareRepo(bare, { 'registry.json': registryText(1) }, { branch: 'trunk' });
  const server = await startGitHttpServer({ root: join(dir, 'root') });
  t.teardown(server.close);
  const source = await createSource({ repository: `${server.url}/repo.git`, path: 'registry.json' }, dir);
  t.same(data(await source.fetch(fetchRequest())).documents, [registryDocument(1)]);
});

t.test('reads a branch, shallow, and a file in a subdirectory', async (t) => {
  const { dir, bare, url } = await fixture(t);
  const dev = await commitFiles(bare, { 'data/registry.json': registryText(2) }, { branch: 'dev' });
  await commitFile(bare, 'registry.json', registryText(3));
  const source = await createSource({ repository: url, branch: 'dev', path: './data/registry.json' }, dir);
  t.equal(source.describe(), `git ${url} dev data/registry.json`);
  const result = data(await source.fetch(fetchRequest()));
  t.same(result.documents, [registryDocument(2)]);
  t.match(result.state, { commit: dev, path: 'data/registry.json' });
  const shallow = await readdir(join(dir, 'data', 'repo')).then((names) => names.includes('shallow'));
  t.ok(shallow, 'the cache is a shallow clone');
});

t.test('reads annotated and lightweight tags', async (t) => {
  const { dir, bare, url, first } = await fixture(t);
  await tag(bare, 'v1.0.0', { message: 'release 1.0.0' });
  await commitFile(bare, 'registry.json', registryText(2));
  await tag(bare, 'light');
  await commitFile(bare, 'registry.json', registryText(3));

  const annotated = await createSource({ repository: url, tag: 'v1.0.0', path: 'registry.json' }, dir, join(dir, 'a'));
  t.equal(annotated.describe(), `git ${url} v1.0.0 registry.json`);
  const one = data(await annotated.fetch(fetchRequest()));
  t.same(one.documents, [registryDocument(1)]);
  t.match(one.state, { commit: first }, 'the state holds the tagged commit, not the tag object');

  const lightweight = await createSource({ repository: url, tag: 'light', path: 'registry.json' }, dir, join(dir, 'b'));
  t.same(data(await lightweight.fetch(fetchRequest())).documents, [registryDocument(2)]);
});

t.test('pins a commit: the tip, an older commit, with no network once cached', async (t) => {
  const { dir, bare, url, first, server } = await fixture(t);
  const second = await commitFile(bare, 'registry.json', registryText(2));
  await commitFile(bare, 'registry.json', registryText(3));

  const older = await createSource({ repository: url, commit: first.toUpperCase(), path: 'registry.json' }, dir, join(dir, 'a'));
  t.equal(older.describe(), `git ${url} ${first} registry.json`);
  const result = data(await older.fetch(fetchRequest()));
  t.same(result.documents, [registryDocument(1)]);

  const tip = await createSource({ repository: url, commit: second, path: 'registry.json' }, dir, join(dir, 'b'));
  t.same(data(await tip.fetch(fetchRequest())).documents, [registryDocument(2)]);

  const before = server.requests.length;
  const again = await older.fetch(fetchRequest({ previous: previousOf(result) }));
  t.same(again, { unchanged: true });
  t.equal(server.requests.length, before, 'a pinned commit that was read needs no request at all');
  const forced = data(await older.fetch(fetchRequest({ previous: previousOf(result), allowUnchanged: false })));
  t.same(forced.documents, [registryDocument(1)]);
  t.equal(server.requests.length, before, 'a cached commit is read from the cache');
});

t.test('a pinned commit the remote does not have', async (t) => {
  const { dir, url } = await fixture(t);
  const sha = 'f'.repeat(40);
  const source = await createSource({ repository: url, commit: sha, path: 'registry.json' }, dir);
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `commit fffffff not found in ${url} (full sha ${sha})`,
  });
});

t.test('change detection: unchanged ref, moved ref with the same file, new content', async (t) => {
  const { dir, bare, url, server } = await fixture(t);
  const source = await createSource({ repository: url, branch: 'main', path: 'registry.json' }, dir);
  const first = data(await source.fetch(fetchRequest()));

  let mark = server.requests.length;
  t.same(await source.fetch(fetchRequest({ previous: previousOf(first) })), { unchanged: true }, 'nothing moved');
  t.equal(packRequests(server, mark), 1, 'only the ref listing (ls-refs) was asked for, no pack');

  const moved = await commitFile(bare, 'README.md', 'hello');
  mark = server.requests.length;
  const sameFile = await source.fetch(fetchRequest({ previous: previousOf(first) }));
  t.same(sameFile, { unchanged: true, state: { ...first.state as object, commit: moved } }, 'moved commit, same blob');
  t.equal(packRequests(server, mark), 2, 'ls-refs and one pack download');

  const changed = await commitFile(bare, 'registry.json', registryText(2));
  const previous = { fingerprint: first.fingerprint, state: (sameFile as { state: NonNullable<SourceData['state']> }).state };
  const next = data(await source.fetch(fetchRequest({ previous })));
  t.same(next.documents, [registryDocument(2)]);
  t.not(next.fingerprint, first.fingerprint, 'new content, new fingerprint');
  t.match(next.state, { commit: changed, blob: next.fingerprint });

  const forced = data(await source.fetch(fetchRequest({ previous: previousOf(next), allowUnchanged: false })));
  t.same(forced.documents, [registryDocument(2)], 'allowUnchanged false returns the data');
  t.equal(forced.fingerprint, next.fingerprint);
});

t.test('a state for another path or repository is not taken as unchanged', async (t) => {
  const { dir, url } = await fixture(t, { 'registry.json': registryText(1), 'other.json': registryText(2) });
  const first = data(await (await createSource({ repository: url, path: 'registry.json' }, dir)).fetch(fetchRequest()));
  const other = await createSource({ repository: url, path: 'other.json' }, dir);
  const result = data(await other.fetch(fetchRequest({ previous: previousOf(first) })));
  t.same(result.documents, [registryDocument(2)]);
  t.same(await other.fetch(fetchRequest({ previous: { fingerprint: 'x', state: 'junk' } })).then(data).then((r) => r.documents), [
    registryDocument(2),
  ]);
});

t.test('follows a force-push', async (t) => {
  const { dir, bare, url } = await fixture(t);
  await commitFile(bare, 'registry.json', registryText(2));
  const source = await createSource({ repository: url, path: 'registry.json' }, dir);
  const before = data(await source.fetch(fetchRequest()));
  t.same(before.documents, [registryDocument(2)]);

  const rewritten = await forcePush(bare, { 'registry.json': registryText(5) });
  const after = data(await source.fetch(fetchRequest({ previous: previousOf(before) })));
  t.same(after.documents, [registryDocument(5)]);
  t.match(after.state, { commit: rewritten });

  // Back to content the cache has seen, on yet another rewritten commit.
  await forcePush(bare, { 'registry.json': registryText(2) });
  const back = data(await source.fetch(fetchRequest({ previous: previousOf(after) })));
  t.same(back.documents, [registryDocument(2)]);
  t.equal(back.fingerprint, before.fingerprint, 'same content, same fingerprint');
});

t.test('reuses the cache across instances (a restart)', async (t) => {
  const { dir, url, server } = await fixture(t);
  const first = data(await (await createSource({ repository: url, path: 'registry.json' }, dir)).fetch(fetchRequest()));
  t.equal(packRequests(server), 2, 'ls-refs and one pack download');

  const restarted = await createSource({ repository: url, path: 'registry.json' }, dir);
  const mark = server.requests.length;
  const again = data(await restarted.fetch(fetchRequest({ allowUnchanged: false })));
  t.same(again.documents, [registryDocument(1)]);
  t.equal(again.fingerprint, first.fingerprint);
  t.equal(packRequests(server, mark), 1, 'no pack download: the commit was in the cache');
});

t.test('a damaged cache is cloned again', async (t) => {
  const { dir, url } = await fixture(t);
  await (await createSource({ repository: url, path: 'registry.json' }, dir)).fetch(fetchRequest());
  const packDir = join(dir, 'data', 'repo', 'objects', 'pack');
  for (const name of await readdir(packDir)) {
    if (name.endsWith('.pack')) await writeFile(join(packDir, name), 'garbage');
  }
  const { logger, lines } = capturingLogger();
  const source = await createSource({ repository: url, path: 'registry.json' }, dir, undefined, logger);
  t.same(data(await source.fetch(fetchRequest({ allowUnchanged: false }))).documents, [registryDocument(1)]);
  t.match(lines.join('\n'), 'git cache is damaged; cloning the repository again');

  await rm(join(dir, 'data', 'repo', 'objects'), { recursive: true });
  t.same(data(await source.fetch(fetchRequest({ allowUnchanged: false }))).documents, [registryDocument(1)]);

  await writeFile(join(dir, 'data', 'repo', 'config'), '[[[ not a config');
  t.same(data(await source.fetch(fetchRequest({ allowUnchanged: false }))).documents, [registryDocument(1)]);
});

t.test('a cache of another repository, or with too many packs, is replaced', async (t) => {
  const { dir, url, server } = await fixture(t);
  await createBareRepo(join(dir, 'root', 'other.git'), { 'registry.json': registryText(7) });
  const other = await createSource({ repository: `${server.url}/other.git`, path: 'registry.json' }, dir);
  t.same(data(await other.fetch(fetchRequest())).documents, [registryDocument(7)]);

  const source = await createSource({ repository: url, path: 'registry.json' }, dir);
  t.same(data(await source.fetch(fetchRequest())).documents, [registryDocument(1)]);
  const config = await readFile(join(dir, 'data', 'repo', 'config'), 'utf8');
  t.match(config, `url = ${url}`, 'the cache now holds the configured repository');
  t.notMatch(config, 'other.git');

  const packDir = join(dir, 'data', 'repo', 'objects', 'pack');
  for (let n = 0; n <= MAX_CACHED_PACKS; n++) {
    await writeFile(join(packDir, `pack-${String(n).padStart(40, '0')}.pack`), '');
  }
  t.same(data(await source.fetch(fetchRequest({ allowUnchanged: false }))).documents, [registryDocument(1)]);
  const packs = (await readdir(packDir)).filter((name) => name.endsWith('.pack'));
  t.equal(packs.length, 1, 'the crowded cache was cloned again');
});
