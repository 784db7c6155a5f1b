/**
 * The git source behind a {@link FaultProxy}: faults of the network between it and a real git
 * server (refused, reset part way, stalled part way, blackholed), which the other tests (a server
 * that is down from the start, one that never answers, a download held by the server) do not play.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { SourceError, type SourceData, type SourceHandler } from '@thv/registry-core';
import { FaultProxy } from '../../core/test/helpers/fault-proxy.js';
import { fetchFailure } from '../../core/test/helpers/fetch-failure.js';
import { createSource, fetchRequest, registryDocument } from './context.js';
import { commitFile, createBareRepo, startGitHttpServer } from './helpers/git-http-server.js';

/** The fetch timeout of every source here. */
const TIMEOUT = '1s';

interface Fixture {
  dir: string;
  bare: string;
  proxy: FaultProxy;
  /** The repository's URL through the proxy. */
  url: string;
}

/**
 * A registry document padded with 24 KB of random text, so that the pack download (about 32 KB)
 * is much longer than the ref listings before it (about 2 KB).
 */
function paddedText(n: number): string {
  return JSON.stringify({ ...registryDocument(n), padding: randomBytes(24_000).toString('base64') });
}

/** `repo.git` with a padded registry.json on main, served by `git http-backend` behind a fault proxy. */
async function fixture(t: Test): Promise<Fixture> {
  const dir = t.testdir({ root: {} });
  const bare = join(dir, 'root', 'repo.git');
  await createBareRepo(bare, { 'registry.json': paddedText(1) });
  const server = await startGitHttpServer({ root: join(dir, 'root') });
  t.teardown(server.close);
  const proxy = await FaultProxy.start(server.url);
  t.teardown(() => proxy.close());
  return { dir, bare, proxy, url: proxy.url('/repo.git') };
}

let caches = 0;

/** A source of the fixture's repository with an empty cache of its own. */
function source(fixture: Fixture): Promise<SourceHandler> {
  return createSource({ repository: fixture.url, path: 'registry.json', timeout: TIMEOUT }, fixture.dir, join(fixture.dir, `data-${++caches}`));
}

/** The fetch's rejection and how long it took to come. */
function failure(source: SourceHandler): Promise<{ error: Error; ms: number }> {
  return fetchFailure(source, fetchRequest());
}

/** Lets the client see the connections the proxy closed, as it would between two syncs. */
const betweenSyncs = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

t.test('the server goes away after a sync: connection refused at once, then a normal fetch when it is back', async (t) => {
  const repo = await fixture(t);
  const git = await source(repo);
  t.ok(((await git.fetch(fetchRequest())) as SourceData).documents, 'a first sync fills the cache');
  await commitFile(repo.bare, 'registry.json', paddedText(2));

  await repo.proxy.refuse();
  await betweenSyncs();
  const { error, ms } = await failure(git);
  t.type(error, SourceError);
  t.equal(error.message, `connection refused fetching ${repo.url}`);
  t.ok(ms < 500, `not after the timeout (${Math.round(ms)} ms)`);

  await repo.proxy.pass();
  const back = (await git.fetch(fetchRequest())) as SourceData;
  t.match(back.documents, [{ version: '1.0.2' }], 'the cache survived; the new commit is read');
});

t.test('a connection reset anywhere in the exchange is reported as a reset, never as missing refs', async (t) => {
  // Before the fix, a reset inside a ref listing read as a short listing: "repository … is empty",
  // `branch "main" not found (the repository has no branches)`.
  const repo = await fixture(t);
  const offsets = [...Array.from({ length: 21 }, (_, i) => i * 150), 8_000, 20_000];
  const messages = new Map<string, number[]>();
  for (const offset of offsets) {
    await repo.proxy.resetAfter(offset);
    const { error, ms } = await failure(await source(repo));
    const key = `${error.name}: ${error.message}${ms >= 900 ? ' (only at the timeout)' : ''}`;
    messages.set(key, [...(messages.get(key) ?? []), offset]);
  }
  t.same([...messages.keys()], [`SourceError: connection reset fetching ${repo.url}`], `every cut (${offsets.length}, at ${offsets.join(', ')} bytes) says so at once`);

  await repo.proxy.pass();
  t.match(((await (await source(repo)).fetch(fetchRequest())) as SourceData).documents, [{ version: '1.0.1' }], 'whole again once the network is');
});

t.test('a response that stalls part way: the timeout fires, and the next fetch is not harmed', async (t) => {
  const repo = await fixture(t);
  const git = await source(repo);
  // 600 bytes: inside the ref listing; 8000: inside the pack download.
  for (const offset of [600, 8_000]) {
    await repo.proxy.stallAfter(offset);
    const { error, ms } = await failure(git);
    t.type(error, SourceError);
    t.equal(error.message, `timed out after ${TIMEOUT} fetching ${repo.url}`, `stalled after ${offset} bytes`);
    t.ok(ms >= 950 && ms < 1500, `given up at the timeout (${Math.round(ms)} ms)`);
  }
  await repo.proxy.pass();
  t.match(((await git.fetch(fetchRequest())) as SourceData).documents, [{ version: '1.0.1' }]);
});

t.test('a blackhole: the timeout fires; the network back, the next fetch works', async (t) => {
  const repo = await fixture(t);
  const git = await source(repo);
  await git.fetch(fetchRequest());
  await commitFile(repo.bare, 'registry.json', paddedText(2));

  await repo.proxy.blackhole();
  const { error, ms } = await failure(git);
  t.type(error, SourceError);
  t.equal(error.message, `timed out after ${TIMEOUT} fetching ${repo.url}`);
  t.ok(ms < 1500, `given up at the timeout (${Math.round(ms)} ms)`);

  await repo.proxy.pass();
  t.match(((await git.fetch(fetchRequest())) as SourceData).documents, [{ version: '1.0.2' }]);
});
