import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { LEVEL, ServeProcess } from './helpers/cli.js';
import { copyExample, fileSourceConfig, OFFICIAL, readStatus, registryStorageDir, writeConfig } from './helpers/fixtures.js';
import { get, type ServerListBody } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';

/** `name@version` → the entry's official meta, for every served entry. */
function officialByKey(body: ServerListBody): Map<string, Record<string, unknown>> {
  return new Map(body.servers.map(({ server, _meta }) => [`${server.name}@${server.version}`, _meta[OFFICIAL] ?? {}]));
}

async function waitForCount(serve: ServeProcess, count: number): Promise<ServerListBody> {
  return pollUntil(`${count} entries served`, async () => {
    const body = (await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers`)).body;
    return body.metadata.count === count ? body : undefined;
  });
}

t.test('a restart serves the last snapshot at once, even when the source is gone', async (t) => {
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  const dataDir = join(dir, 'data');

  const first = await ServeProcess.start(t, await writeConfig(dir, fileSourceConfig({ interval: '30m' })));
  const before = await waitForCount(first, 12);
  const synced = await readStatus(dataDir, 'example');
  t.match(synced, { phase: 'Complete', versionCount: 12 }, 'the default dataDir is ./data next to the config');
  t.same(await first.stop(), { code: 0, signal: null });

  // Same registry and storage, but the source now points at a file that does not exist.
  const config = await writeConfig(dir, fileSourceConfig({ interval: '30m', path: './gone.json' }), 'config-gone.yaml');
  const second = await ServeProcess.start(t, config);
  // Asked as soon as it listens: the sync of a missing file can never have succeeded.
  const readiness = await get(`${second.baseUrl}/readiness`);
  t.equal(readiness.status, 200, 'ready at once');
  const after = (await get<ServerListBody>(`${second.baseUrl}/v0.1/servers`)).body;
  t.equal(after.metadata.count, 12, 'the last snapshot is served');
  t.match(second.logs.find((line) => line.msg === 'stored snapshot loaded'), { registry: 'example', count: 12 });

  const beforeMeta = officialByKey(before);
  const afterMeta = officialByKey(after);
  t.same([...afterMeta.keys()], [...beforeMeta.keys()], 'the same entries');
  for (const [key, meta] of beforeMeta) {
    t.equal(afterMeta.get(key)?.['publishedAt'], meta['publishedAt'], `${key}: publishedAt survives the restart`);
    t.equal(afterMeta.get(key)?.['updatedAt'], meta['updatedAt'], `${key}: updatedAt survives the restart`);
  }

  const failed = await pollUntil('a Failed status', async () => {
    const status = await readStatus(dataDir, 'example');
    return status?.phase === 'Failed' ? status : undefined;
  });
  t.match(failed.message, join(dir, 'gone.json'), 'the status names the missing file');
  t.equal(failed.lastSuccess, synced?.lastSuccess, 'lastSuccess is the first run\'s sync');
  t.equal((await get<ServerListBody>(`${second.baseUrl}/v0.1/servers`)).body.metadata.count, 12, 'still served after the failed sync');
  t.equal((await get(`${second.baseUrl}/readiness`)).status, 200, 'still ready');
  t.same(await second.stop(), { code: 0, signal: null });
});

t.test('THV_DATA_DIR holds the snapshots of a config without dataDir (as in the container image)', async (t) => {
  const dir = t.testdir({ volume: {} });
  await copyExample(dir, 'registry.json');
  const volume = join(dir, 'volume');
  const serve = await ServeProcess.start(t, await writeConfig(dir, fileSourceConfig({ interval: '30m' })), {
    env: { THV_DATA_DIR: volume },
  });
  await waitForCount(serve, 12);
  t.match(await readStatus(volume, 'example'), { phase: 'Complete', versionCount: 12 }, 'the status is in the volume');
  await t.rejects(access(join(dir, 'data')), { code: 'ENOENT' }, 'nothing is written to ./data');
  t.same(await serve.stop(), { code: 0, signal: null });
});

t.test('a corrupt snapshot.json: logged, replaced by the first sync, served', async (t) => {
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  const dataDir = join(dir, 'data');
  const storageDir = registryStorageDir(dataDir, 'example');
  await mkdir(storageDir, { recursive: true });
  const snapshotFile = join(storageDir, 'snapshot.json');
  await writeFile(snapshotFile, '{"formatVersion":1,"entries":[{"server":{"name":"io.git');

  const serve = await ServeProcess.start(t, await writeConfig(dir, fileSourceConfig({ interval: '30m' })));
  const logged = await serve.waitForLog('an error about the snapshot', (line) => line.level >= LEVEL.error);
  t.match(logged, { registry: 'example', err: { message: snapshotFile } }, 'the error names the file');
  t.notOk(serve.logs.some((line) => line.level >= LEVEL.fatal), 'nothing fatal');

  await waitForCount(serve, 12);
  t.equal((await get(`${serve.baseUrl}/readiness`)).status, 200);
  const rewritten = JSON.parse(await readFile(snapshotFile, 'utf8')) as { entries: unknown[] };
  t.equal(rewritten.entries.length, 12, 'the sync replaced the corrupt snapshot');
  t.match(await readStatus(dataDir, 'example'), { phase: 'Complete', versionCount: 12 });
  t.same(await serve.stop(), { code: 0, signal: null }, 'stops cleanly');
});

t.test('a stale Syncing status (a process killed mid-sync) is recovered at start', async (t) => {
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  const dataDir = join(dir, 'data');
  const storageDir = registryStorageDir(dataDir, 'example');
  await mkdir(storageDir, { recursive: true });
  const stale = {
    phase: 'Syncing',
    message: 'syncing',
    lastAttempt: new Date(Date.now() - 60_000).toISOString(),
    consecutiveFailures: 0,
    serverCount: 0,
    versionCount: 0,
    skipped: 0,
  };
  await writeFile(join(storageDir, 'status.json'), `${JSON.stringify(stale, null, 2)}\n`);

  const serve = await ServeProcess.start(t, await writeConfig(dir, fileSourceConfig({ interval: '30m' })));
  const warning = await serve.waitForLog('the interrupted-sync warning', (line) => /interrupted/.test(line.msg));
  t.match(warning, { level: LEVEL.warn, registry: 'example' });
  const settled = await pollUntil('the first sync to complete', async () => {
    const current = await readStatus(dataDir, 'example');
    return current?.phase === 'Complete' ? current : undefined;
  });
  t.match(settled, { phase: 'Complete', versionCount: 12, consecutiveFailures: 0 }, 'no longer Syncing: the sync ran and completed');
  t.not(settled.lastAttempt, stale.lastAttempt, 'a new attempt');
  await waitForCount(serve, 12);
  t.same(await serve.stop(), { code: 0, signal: null });
});

t.test(
  'a corrupt status.json does not cost the good snapshot beside it',
  async (t) => {
    const dir = t.testdir();
    await copyExample(dir, 'registry.json');
    const dataDir = join(dir, 'data');
    const first = await ServeProcess.start(t, await writeConfig(dir, fileSourceConfig({ interval: '30m' })));
    await waitForCount(first, 12);
    t.same(await first.stop(), { code: 0, signal: null });

    await writeFile(join(registryStorageDir(dataDir, 'example'), 'status.json'), '{"phase": "Compl');
    const config = await writeConfig(dir, fileSourceConfig({ interval: '30m', path: './gone.json' }), 'config-gone.yaml');
    const second = await ServeProcess.start(t, config);
    t.equal((await get(`${second.baseUrl}/readiness`)).status, 200, 'ready from the snapshot');
    t.equal((await get<ServerListBody>(`${second.baseUrl}/v0.1/servers`)).body.metadata.count, 12, 'the snapshot is served');
    t.same(await second.stop(), { code: 0, signal: null });
  },
);
