import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { StorageError, type Storage } from '@thv/registry-core';
import plugin from '../src/index.js';
import { entry, status, storageContext } from './fixtures.js';

const T1 = '2025-01-01T00:00:00.000Z';
const T2 = '2025-01-01T00:05:00.000Z';

/** Opens fs storage in `root` (a fresh test dir by default), closed at teardown. */
async function openStorage(t: Test, root = t.testdir({})): Promise<Storage> {
  const storage = await plugin.create({ path: root }, storageContext(root));
  await storage.open();
  t.teardown(() => storage.close());
  return storage;
}

function registryDir(root: string, name: string): string {
  return join(root, 'registries', encodeURIComponent(name));
}

t.test('declares the fs storage plugin', async (t) => {
  t.equal(plugin.kind, 'storage');
  t.equal(plugin.type, 'fs');
  t.match(plugin.configSchema, { type: 'object', additionalProperties: false });
});

t.test('defaults to the data directory; a relative path is relative to the config file', async (t) => {
  const configDir = t.testdir({});
  const byDefault = await plugin.create({}, storageContext(configDir));
  await byDefault.open();
  t.same(await readdir(join(configDir, 'data')), ['registries']);
  const relative = await plugin.create({ path: './store' }, storageContext(configDir));
  await relative.open();
  t.same(await readdir(join(configDir, 'store')), ['registries']);
  await Promise.all([byDefault.close(), relative.close()]);
});

t.test('nothing stored: absent fields', async (t) => {
  const storage = await openStorage(t);
  t.same(await storage.load('default'), {});
});

t.test('commit then load round trip, also from a reopened storage', async (t) => {
  const root = t.testdir({});
  const storage = await openStorage(t, root);
  const entries = [entry('io.github.a/one'), entry('io.github.a/two', '2.0.0')];
  await storage.commit('default', entries, status(T1));
  t.same(await storage.load('default'), { entries, status: status(T1) });

  const snapshot = JSON.parse(await readFile(join(registryDir(root, 'default'), 'snapshot.json'), 'utf8'));
  t.same(snapshot, { formatVersion: 1, entries, status: status(T1) });

  await storage.commit('default', [entries[0]!], status(T2));
  await storage.close();
  const reopened = await openStorage(t, root);
  t.same(await reopened.load('default'), { entries: [entries[0]], status: status(T2) }, 'the last snapshot wins');
});

t.test('saveStatus after commit keeps the entries', async (t) => {
  const storage = await openStorage(t);
  const entries = [entry('io.github.a/one')];
  await storage.commit('default', entries, status(T1));
  const failed = status(T2, { phase: 'Failed', message: 'registry file not found', consecutiveFailures: 1 });
  await storage.saveStatus('default', failed);
  t.same(await storage.load('default'), { entries, status: failed });
});

t.test('saveStatus alone: a status and no entries', async (t) => {
  const storage = await openStorage(t);
  await storage.saveStatus('default', status(T1, { phase: 'Failed' }));
  t.same(await storage.load('default'), { status: status(T1, { phase: 'Failed' }) });
});

t.test('the status with the later lastAttempt wins', async (t) => {
  const root = t.testdir({});
  const storage = await openStorage(t, root);
  await storage.commit('default', [entry('io.github.a/one')], status(T2));
  // A crash between the snapshot rename and the status rename leaves an older status.json.
  await writeFile(join(registryDir(root, 'default'), 'status.json'), JSON.stringify(status(T1)));
  t.same((await storage.load('default')).status, status(T2), 'the snapshot status is newer');

  await storage.saveStatus('default', status(T2, { phase: 'Syncing' }));
  t.same((await storage.load('default')).status, status(T2, { phase: 'Syncing' }), 'status.json wins a tie');
});

t.test('corrupt files are a StorageError naming the file', async (t) => {
  const root = t.testdir({});
  const storage = await openStorage(t, root);
  await storage.commit('default', [entry('io.github.a/one')], status(T1));
  const dir = registryDir(root, 'default');
  const snapshotPath = join(dir, 'snapshot.json');

  await writeFile(snapshotPath, '{"formatVersion":1,"entr');
  const err = await storage.load('default').catch((e: unknown) => e);
  t.type(err, StorageError);
  t.match((err as Error).message, `corrupt ${snapshotPath}: `);

  await writeFile(snapshotPath, JSON.stringify({ formatVersion: 9, entries: [], status: status(T1) }));
  await t.rejects(storage.load('default'), { message: `corrupt ${snapshotPath}: formatVersion 9, expected 1` });

  await writeFile(snapshotPath, JSON.stringify({ formatVersion: 1, entries: {}, status: status(T1) }));
  await t.rejects(storage.load('default'), { message: `corrupt ${snapshotPath}: "entries" is not an array` });

});

t.test('an unusable status.json falls back to the status stored with the snapshot', async (t) => {
  const root = t.testdir({});
  const storage = await openStorage(t, root);
  await storage.commit('default', [entry('io.github.a/one')], status(T1));
  const statusPath = join(registryDir(root, 'default'), 'status.json');
  for (const damage of ['[]', '{"phase":', 'dir']) {
    await rm(statusPath, { recursive: true, force: true });
    if (damage === 'dir') await mkdir(statusPath);
    else await writeFile(statusPath, damage);
    const loaded = await storage.load('default');
    t.equal(loaded.entries?.length, 1, `entries still load (${damage})`);
    t.same(loaded.status, status(T1), `the snapshot's status is used (${damage})`);
  }
});

t.test('an unreadable file is a StorageError naming the file', async (t) => {
  const root = t.testdir({});
  const storage = await openStorage(t, root);
  await storage.commit('default', [], status(T1));
  // A directory where the file should be fails to read as root too.
  const snapshotPath = join(registryDir(root, 'default'), 'snapshot.json');
  await rm(snapshotPath);
  await mkdir(snapshotPath);
  await t.rejects(storage.load('default'), {
    name: 'StorageError',
    message: `could not read ${snapshotPath}: `,
  });
});

t.test('leftover temp files are ignored and cleaned on open', async (t) => {
  const root = t.testdir({});
  const first = await openStorage(t, root);
  const entries = [entry('io.github.a/one')];
  await first.commit('default', entries, status(T1));
  await first.close();

  const dir = registryDir(root, 'default');
  const dead = '.snapshot.json.2147483646-0a0b0c-1.tmp';
  const earlierRun = `.status.json.${process.pid}-0d0e0f-7.tmp`;
  const live = `.snapshot.json.${process.ppid}-0a0b0c-2.tmp`;
  for (const name of [dead, earlierRun, live]) await writeFile(join(dir, name), '{"half');

  const reopened = await openStorage(t, root);
  t.same(await reopened.load('default'), { entries, status: status(T1) });
  t.same((await readdir(dir)).sort(), [live, 'snapshot.json', 'status.json'], 'a live writer keeps its temp file');
  await reopened.commit('default', [], status(T2));
  t.same(await reopened.load('default'), { entries: [], status: status(T2) });
});

t.test('writes leave no temp files behind', async (t) => {
  const root = t.testdir({});
  const storage = await openStorage(t, root);
  await Promise.all([
    storage.commit('default', [entry('io.github.a/one')], status(T1)),
    storage.saveStatus('default', status(T2, { phase: 'Failed' })),
  ]);
  t.same((await readdir(registryDir(root, 'default'))).sort(), ['snapshot.json', 'status.json']);
  t.same((await storage.load('default')).status, status(T2, { phase: 'Failed' }), 'writes land in call order');
});

t.test('names with "/", unicode and dots map to safe directory names', async (t) => {
  const root = t.testdir({});
  const storage = await openStorage(t, root);
  const names = ['team/prod', 'レジストリ', '..', '.', 'a\\b:c'];
  for (const [index, name] of names.entries()) await storage.commit(name, [entry(`io.github.a/n${index}`)], status(T1));
  t.same(
    (await readdir(join(root, 'registries'))).sort(),
    ['%2E', '%2E%2E', 'a%5Cb%3Ac', 'team%2Fprod', '%E3%83%AC%E3%82%B8%E3%82%B9%E3%83%88%E3%83%AA'].sort(),
  );
  for (const [index, name] of names.entries()) {
    t.equal((await storage.load(name)).entries?.[0]?.server.name, `io.github.a/n${index}`, name);
  }
  await t.rejects(storage.load(''), { name: 'StorageError', message: 'registry name must not be empty' });
});

t.test('leases are exclusive until released or expired', async (t) => {
  const storage = await openStorage(t);
  t.equal(await storage.tryLease('default', 'a', 60_000), true);
  t.equal(await storage.tryLease('default', 'b', 60_000), false, 'held by another');
  t.equal(await storage.tryLease('default', 'a', 60_000), true, 'the holder renews');
  t.equal(await storage.tryLease('other', 'b', 60_000), true, 'leases are per registry');
  await storage.releaseLease('default', 'b');
  t.equal(await storage.tryLease('default', 'b', 60_000), false, 'only the holder releases');
  await storage.releaseLease('default', 'a');
  t.equal(await storage.tryLease('default', 'b', 0), true, 'free after release');
  t.equal(await storage.tryLease('default', 'a', 60_000), true, 'free after expiry');
});

t.test('watch is a no-op', async (t) => {
  const storage = await openStorage(t);
  const unsubscribe = storage.watch(() => t.fail('no change notices'));
  t.type(unsubscribe, 'function');
  unsubscribe();
});
