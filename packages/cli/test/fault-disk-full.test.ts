/**
 * Fault trial: the disk of the fs storage fills up while `serve` runs and its source changes. The
 * storage is a small tmpfs mounted for each test (needs root or CAP_SYS_ADMIN on Linux; elsewhere
 * the file is skipped, saying why). The commit of the new catalog fails; the previous snapshot
 * stays served and on disk, no temp file is left, the status and `/readiness` say `disk full`,
 * and once space is freed the new catalog is committed and served by itself, while a read loop
 * never sees a failure.
 */
import { appendFile, readdir, readFile, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { tmpfsDisks } from '../../storage-fs/test/helpers/tmpfs.js';
import { ServeProcess } from './helpers/cli.js';
import { assertSurvived, degradedListings, readiness, routeDegraded, sleep } from './helpers/fault-trial.js';
import { copyExample, fileSourceConfig, readStatus, registryStorageDir, replaceFile, sampleRegistryWith, TOOLHIVE_PREFIX, writeConfig } from './helpers/fixtures.js';
import { get } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';
import { startReadLoop } from './helpers/read-loop.js';
import { registryReport, waitForReport, type RegistryReport } from './helpers/registry-status.js';

/** Size of each test's disk: room for both catalogs, nothing like a real disk. */
const DISK_SIZE = '1m';
/** The trial's registry (examples/registry.json: 12 versions). */
const REGISTRY = 'example';
/** `syncPolicy.interval`. */
const INTERVAL_MS = 1_000;
/** The retry delay after a failed sync: 5 s doubling, capped at the interval, so here the interval. */
const BACKOFF_MS = Math.min(5_000, INTERVAL_MS);
/**
 * The new catalog is served within this long after space is freed: the retry comes at most one
 * backoff later, and a sync of a local file plus the poll take well under a second.
 */
const RECOVERY_BOUND_MS = BACKOFF_MS + 1_000;
/** Servers added to the registry file for the new catalog: about 80 KiB more of snapshot. */
const ADDED_KEYS = Array.from({ length: 50 }, (_, i) => `added-${i}`);
/** Requests per second of the read loop. */
const READ_RATE = 150;

/** Temp files of storage-fs: `.<target>.<pid>-<token>-<n>.tmp`. */
const TEMP_FILE = /^\..*\.tmp$/;

/** Bytes a new file may still take on the disk at `dir`. */
async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

/**
 * Grows `filler` until the disk has `leaveBytes` free, and stays so for longer than a sync interval
 * (a sync may hold a temp file for a moment: the space it frees is taken too). Returns the free
 * bytes last seen.
 */
async function fillDisk(disk: string, filler: string, leaveBytes: number): Promise<number> {
  let changedAt = Date.now();
  for (;;) {
    const free = await freeBytes(disk);
    if (free > leaveBytes) {
      await appendFile(filler, Buffer.alloc(free - leaveBytes)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOSPC') throw err;
      });
      changedAt = Date.now();
    } else if (free === leaveBytes && Date.now() - changedAt > 1.5 * INTERVAL_MS) {
      return free;
    }
    await sleep(50);
  }
}

/** The temp files in `dir` now. */
async function tempFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => TEMP_FILE.test(name));
}

/** How full the disk gets. */
interface Trial {
  name: string;
  /**
   * Bytes left free by the filler. 0: nothing fits, not even a sync status. More: a sync status
   * fits, the new snapshot does not.
   */
  leaveBytes: number;
}

const TRIALS: Trial[] = [
  { name: 'a full disk: not even the sync status can be written', leaveBytes: 0 },
  { name: 'a nearly full disk: the sync status fits, the new snapshot does not', leaveBytes: 32 * 1024 },
];

const { skip, smallDisk } = await tmpfsDisks(t, DISK_SIZE);

for (const trial of TRIALS) {
  t.test(`${trial.name}: reads go on from the last snapshot, which stays on disk; space back, the new catalog is served`, { skip }, async (t) => {
    const disk = await smallDisk(t);
    const dataDir = join(disk, 'data');
    const registryDir = registryStorageDir(dataDir, REGISTRY);
    const snapshotPath = join(registryDir, 'snapshot.json');
    const dir = t.testdir();
    const registryFile = await copyExample(dir, 'registry.json');
    const config = await writeConfig(dir, fileSourceConfig({ interval: `${INTERVAL_MS / 1000}s`, extra: `storage: { type: fs, path: ${JSON.stringify(dataDir)} }` }));

    const serve = await ServeProcess.start(t, config);
    const base = serve.baseUrl;
    await waitForReport(base, REGISTRY, 'the first sync committed', (r) => r.versionCount === 12 && r.status?.phase === 'Complete');
    const snapshotBefore = await readFile(snapshotPath, 'utf8');
    const reads = startReadLoop(
      [`${base}/v0.1/servers?limit=5`, `${base}/registry/${REGISTRY}/v0.1/servers/${encodeURIComponent(`${TOOLHIVE_PREFIX}acme-postgres`)}/versions/latest`],
      { ratePerSecond: READ_RATE },
    );

    // Fill the disk, then change the source: its next commit needs more room than is left.
    const filler = join(disk, 'filler');
    t.equal(await fillDisk(disk, filler, trial.leaveBytes), trial.leaveBytes, `the filler leaves ${trial.leaveBytes} bytes free`);
    await replaceFile(registryFile, JSON.stringify(sampleRegistryWith(...ADDED_KEYS)));
    const newVersions = 12 + ADDED_KEYS.length;

    // The commit fails on the full disk; the status says so; the last good catalog is served.
    const snapshotMessage = `disk full: cannot write the snapshot of registry "${REGISTRY}" to ${snapshotPath}`;
    const failed = await waitForReport(base, REGISTRY, 'the commit failing on the full disk', (r) => r.status?.phase === 'Failed');
    t.equal(failed.status?.message, snapshotMessage, 'the status says the disk is full, and where');
    t.equal(failed.versionCount, 12, 'the last good catalog is served');
    t.equal(
      (await get(`${base}/registry/${REGISTRY}/v0.1/servers/${encodeURIComponent(`${TOOLHIVE_PREFIX}${ADDED_KEYS[0]}`)}/versions/latest`)).status,
      404,
      'nothing of the new catalog is served',
    );
    const tempsSeen = await tempFiles(registryDir);

    // It fails again after the backoff: the count grows, and the retry shows in nextAttempt.
    const again = await waitForFailedAgain(base, failed);
    t.ok((again.status?.consecutiveFailures ?? 0) > (failed.status?.consecutiveFailures ?? 0), `consecutiveFailures went from ${failed.status?.consecutiveFailures} to ${again.status?.consecutiveFailures}`);
    t.match(again.status, { phase: 'Failed', message: snapshotMessage, lastSuccess: String }, 'still Failed, lastSuccess kept');
    const waitMs = Date.parse(again.nextAttempt ?? '') - Date.parse(again.status?.lastAttempt ?? '');
    t.ok(waitMs >= BACKOFF_MS, `nextAttempt ${again.nextAttempt} is ${waitMs} ms after lastAttempt (backoff ${BACKOFF_MS} ms)`);
    t.equal(again.versionCount, 12, 'still the last good catalog');

    // On disk: the previous snapshot, untouched, and no temp file left behind by a failed write.
    t.equal(await readFile(snapshotPath, 'utf8'), snapshotBefore, 'snapshot.json is unchanged (the 12 versions)');
    const files = await readdir(registryDir);
    t.same(files.filter((name) => !TEMP_FILE.test(name)).sort(), ['snapshot.json', 'status.json'], 'the registry directory holds its two files');
    // A sync that runs right now may have a temp file open for a moment; one left behind would
    // still be there after the failures that came since it was seen.
    const lingering = tempsSeen.filter((name) => files.includes(name));
    t.same(lingering, [], `no temp file is left (seen before the last failure: ${JSON.stringify(tempsSeen)})`);
    if (trial.leaveBytes > 0) {
      const stored = await pollUntil('the failed status on disk', async () => {
        const status = await readStatus(dataDir, REGISTRY);
        return status?.phase === 'Failed' ? status : undefined;
      });
      t.match(stored, { message: snapshotMessage, versionCount: 12 }, 'status.json says the commit failed, with the counts of the data kept');
    }

    // Ready all along; degraded says the storage is full and the sync fails.
    // Asked between two attempts, when each failing sync has its retry scheduled (no nextAttempt while one runs).
    for (const [where, degraded] of await degradedListings(t, base)) {
      t.same(degraded.map((d) => d.component), ['storage', 'sync'], `${where}: degraded lists the storage and the sync`);
      const storage = degraded.find((d) => d.component === 'storage');
      // With no room at all the latest failed write may be the sync status rather than the snapshot.
      const storageMessage =
        trial.leaveBytes === 0 ? new RegExp(`^disk full: cannot write the (snapshot|sync status) of registry "${REGISTRY}" to ${registryDir}/`) : snapshotMessage;
      t.match(storage, { message: storageMessage }, `${where}: storage: ${storage?.message}`);
      const sync = degraded.find((d) => d.component === 'sync');
      t.match(sync, { registry: REGISTRY, message: snapshotMessage, lastSuccess: String, nextAttempt: String }, `${where}: the sync of ${REGISTRY}`);
      t.ok((sync?.consecutiveFailures ?? 0) >= 2, `${where}: the sync counts its failures (${sync?.consecutiveFailures})`);
    }

    // Space is freed: the next retry commits the new catalog, and nothing is degraded any more.
    await rm(filler);
    const freedAt = Date.now();
    const recovered = await pollUntil(
      'the new catalog served and nothing degraded',
      async () => {
        const report = await registryReport(base, REGISTRY);
        if (report.versionCount !== newVersions || report.status?.phase !== 'Complete') return undefined;
        return (await readiness(base)).degraded.length === 0 ? report : undefined;
      },
      { timeoutMs: RECOVERY_BOUND_MS + 10_000, intervalMs: 25 },
    );
    const recoveryMs = Date.now() - freedAt;
    t.ok(recoveryMs <= RECOVERY_BOUND_MS, `the new catalog was served ${recoveryMs} ms after space was freed (bound ${RECOVERY_BOUND_MS} ms)`);
    t.match(recovered.status, { consecutiveFailures: 0 }, 'the failure count is reset');
    t.equal(
      (await get(`${base}/registry/${REGISTRY}/v0.1/servers/${encodeURIComponent(`${TOOLHIVE_PREFIX}${ADDED_KEYS[0]}`)}/versions/latest`)).status,
      200,
      'the new catalog is served',
    );
    t.same(await routeDegraded(base), [], 'the status route lists nothing degraded');
    const snapshotAfter = await readFile(snapshotPath, 'utf8');
    t.ok(
      Buffer.byteLength(snapshotAfter) > trial.leaveBytes,
      `the new snapshot (${Buffer.byteLength(snapshotAfter)} bytes) could not fit in the ${trial.leaveBytes} bytes left`,
    );
    t.match(await readStatus(dataDir, REGISTRY), { phase: 'Complete', versionCount: newVersions }, 'status.json records the commit');
    const finalFiles = await pollUntil('no temp file', async () => {
      const names = (await readdir(registryDir)).sort();
      return names.some((name) => TEMP_FILE.test(name)) ? undefined : names;
    });
    t.same(finalFiles, ['snapshot.json', 'status.json'], 'only the snapshot and the status remain');
    t.same(
      (await readdir(registryDir)).filter((name) => files.includes(name) && TEMP_FILE.test(name)),
      [],
      'no temp file seen during the fault is still there',
    );
    t.comment(`${trial.name}: ${failed.status?.consecutiveFailures}→${again.status?.consecutiveFailures} failures; recovered ${recoveryMs} ms after space was freed`);

    assertSurvived(t, [serve], await reads.stop());
    t.same(await serve.stop(), { code: 0, signal: null }, 'serve stops cleanly');
  });
}

/** Waits for the next failed attempt after `failed`: more failures, the retry scheduled. */
function waitForFailedAgain(baseUrl: string, failed: RegistryReport): Promise<RegistryReport> {
  const before = failed.status?.consecutiveFailures ?? 0;
  return waitForReport(
    baseUrl,
    REGISTRY,
    'another failed attempt',
    (r) => r.status?.phase === 'Failed' && r.status.consecutiveFailures > before && r.nextAttempt !== undefined,
    5 * BACKOFF_MS + 5_000,
  );
}
