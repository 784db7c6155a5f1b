// fs storage on a real, small disk: a 512 KiB tmpfs mounted for each test. Needs root (or
// CAP_SYS_ADMIN) on Linux; elsewhere the tests are skipped, saying why.
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { StorageError, type Storage } from '@thv/registry-core';
import plugin from '../src/index.js';
import { entry, status, storageContext } from './fixtures.js';
import { tmpfsDisks } from './helpers/tmpfs.js';

const run = promisify(execFile);
const T1 = '2025-01-01T00:00:00.000Z';
const T2 = '2025-01-01T00:05:00.000Z';
const T3 = '2025-01-01T00:10:00.000Z';
const T4 = '2025-01-01T00:15:00.000Z';
const DISK_SIZE = '512k';
async function openStorage(t: Test, root: string): Promise<Storage> {
  const storage = await plugin.create({ path: root }, storageContext(root));
  await storage.open();
  t.teardown(() => storage.close());
  return storage;
}

/** Entries whose snapshot is about `kib` KiB. */
function largeEntries(kib: number) {
  return Array.from({ length: kib }, (_, i) => {
    const big = entry(`io.github.big/server-${i}`);
    return { ...big, server: { ...big.server, description: 'x'.repeat(1000) } };
  });
}

/** Writes a file that takes every free block of the disk. */
async function fillDisk(t: Test, path: string): Promise<void> {
  await t.rejects(writeFile(path, Buffer.alloc(4 * 1024 * 1024)), { code: 'ENOSPC' }, 'the filler takes all the space');
}

/** The exact bytes of the registry's files, to prove that they did not change. */
async function filesOf(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) files[name] = await readFile(join(dir, name), 'utf8');
  return files;
}

const { skip, smallDisk } = await tmpfsDisks(t, DISK_SIZE);

t.test('a full disk keeps the last good snapshot, reports it, and recovers', { skip }, async (t) => {
  const disk = await smallDisk(t);
  const storage = await openStorage(t, disk);
  const dir = join(disk, 'registries', 'default');
  const snapshotPath = join(dir, 'snapshot.json');
  const statusPath = join(dir, 'status.json');

  const first = [entry('io.github.a/one')];
  await storage.commit('default', first, status(T1));
  t.same(storage.health?.(), { healthy: true }, 'healthy after a commit');
  const before = await filesOf(dir);
  t.same(Object.keys(before), ['snapshot.json', 'status.json']);

  // About 600 KiB: more than the whole disk.
  const err = await storage.commit('default', largeEntries(600), status(T2)).then(
    () => undefined,
    (error: unknown) => error,
  );
  const message = `disk full: cannot write the snapshot of registry "default" to ${snapshotPath}`;
  t.type(err, StorageError);
  t.match(err, { name: 'StorageError', code: 'THV_ERR_STORAGE', message });
  t.equal((err as Error).message, message, 'the message says what and where, nothing else');
  t.match((err as Error).cause, { code: 'ENOSPC' }, 'the system error is the cause');
  t.same(await filesOf(dir), before, 'snapshot.json and status.json are unchanged; no temp file is left');
  t.same(await storage.load('default'), { entries: first, status: status(T1) }, 'load returns the first snapshot');
  t.same(storage.health?.(), { healthy: false, message }, 'unhealthy, with the message');

  // The sync then saves its failed status: it fits, but the snapshot still does not.
  const failed = status(T2, { phase: 'Failed', message, consecutiveFailures: 1 });
  await storage.saveStatus('default', failed);
  t.same(storage.health?.(), { healthy: false, message }, 'a saved status does not prove that a snapshot fits');
  t.same(await storage.load('default'), { entries: first, status: failed });

  // Now not even a status fits.
  const filler = join(disk, 'filler');
  await fillDisk(t, filler);
  const beforeStatus = await filesOf(dir);
  const statusMessage = `disk full: cannot write the sync status of registry "default" to ${statusPath}`;
  await t.rejects(storage.saveStatus('default', status(T3, { phase: 'Failed' })), { name: 'StorageError', message: statusMessage });
  t.same(await filesOf(dir), beforeStatus, 'status.json is unchanged; no temp file is left');
  t.same(storage.health?.(), { healthy: false, message: statusMessage });
  await t.rejects(storage.commit('default', first, status(T3)), { name: 'StorageError', message }, 'nor does a small commit');
  t.same(await filesOf(dir), beforeStatus);

  // Space comes back: the next commit succeeds and storage is healthy again.
  await rm(filler);
  const second = [entry('io.github.a/one'), entry('io.github.a/two')];
  await storage.commit('default', second, status(T4));
  t.same(storage.health?.(), { healthy: true }, 'healthy again after a successful commit');
  t.same(await storage.load('default'), { entries: second, status: status(T4) });
  t.same((await readdir(dir)).sort(), ['snapshot.json', 'status.json'], 'no temp file is left');
});

t.test('a read-only file system is reported and recovers after a remount', { skip }, async (t) => {
  const disk = await smallDisk(t);
  const storage = await openStorage(t, disk);
  const dir = join(disk, 'registries', 'default');
  const first = [entry('io.github.a/one')];
  await storage.commit('default', first, status(T1));
  const before = await filesOf(dir);

  await run('mount', ['-o', 'remount,ro', disk]);
  const message = `read-only file system: cannot write the snapshot of registry "default" to ${join(dir, 'snapshot.json')}`;
  await t.rejects(storage.commit('default', [entry('io.github.a/two')], status(T2)), { name: 'StorageError', message });
  t.same(storage.health?.(), { healthy: false, message });
  const statusMessage = `read-only file system: cannot write the sync status of registry "default" to ${join(dir, 'status.json')}`;
  await t.rejects(storage.saveStatus('default', status(T2, { phase: 'Failed' })), { name: 'StorageError', message: statusMessage });
  const otherDir = join(disk, 'registries', 'other');
  await t.rejects(storage.saveStatus('other', status(T2)), {
    name: 'StorageError',
    message: `read-only file system: cannot create the directory of registry "other" at ${otherDir}`,
  });
  t.same(
    storage.health?.(),
    { healthy: false, message: `read-only file system: cannot create the directory of registry "other" at ${otherDir} (and 1 more registry)` },
    'the most recent failure, and how many more registries fail',
  );
  t.same(await filesOf(dir), before);
  t.same(await storage.load('default'), { entries: first, status: status(T1) });

  await run('mount', ['-o', 'remount,rw', disk]);
  await storage.saveStatus('other', status(T3));
  t.same(
    storage.health?.(),
    { healthy: false, message: statusMessage },
    '"other" recovered with a saved status; "default" still needs a commit',
  );
  await storage.commit('default', first, status(T3));
  t.same(storage.health?.(), { healthy: true });
});
