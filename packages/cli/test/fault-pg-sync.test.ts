/**
 * Fault trial: PostgreSQL stopped for 30 s in the middle of a sync (the holder's commit slowed by
 * network latency, then the database goes away). Nothing half-done is stored, reads never fail,
 * both replicas converge to the new catalog within seconds of the database's return.
 */
import t from 'tap';
import { assertSurvived, CONVERGE_MS, OUTAGE_MS, sleep, startReplicas, stopAll, storedVersions, waitForVersions } from './helpers/fault-trial.js';
import { replaceFile, sampleRegistryWith } from './helpers/fixtures.js';
import { pollUntil } from './helpers/poll.js';
import { registryReport } from './helpers/registry-status.js';

t.test('PostgreSQL stopped for 30 s during a sync: no partial commit, reads go on, both replicas converge', async (t) => {
  const { db, registryFile, replicas, stopReads } = await startReplicas(t);
  const serves = replicas.map((replica) => replica.serve);
  const [holder] = replicas;
  if (holder === undefined) throw new Error('no replica');

  // Every round trip of the holder now takes 300 ms: its next sync is caught in flight.
  await holder.proxy.delay(300);
  await replaceFile(registryFile, JSON.stringify(sampleRegistryWith('added-before-outage')));
  await pollUntil('the holder syncing the change', async () => ((await registryReport(holder.serve.baseUrl, 'example')).status?.phase === 'Syncing' ? true : undefined), {
    timeoutMs: 20_000,
    intervalMs: 20,
  });
  await Promise.all(replicas.map(({ proxy }) => proxy.refuse()));
  const stoppedAt = Date.now();
  t.equal(await storedVersions(db), 12, 'the interrupted sync stored nothing');

  const failed = await pollUntil('the interrupted sync to fail', async () => {
    const report = await registryReport(holder.serve.baseUrl, 'example');
    return report.status?.phase === 'Failed' ? report : undefined;
  });
  t.equal(failed.versionCount, 12, 'the holder serves its last good catalog');
  t.match(failed.status?.message, /PostgreSQL at 127\.0\.0\.1:\d+/, 'the status says the database failed');
  await sleep(OUTAGE_MS - (Date.now() - stoppedAt));

  await Promise.all(replicas.map(({ proxy }) => proxy.pass()));
  const converged = await waitForVersions(serves, 13, 30_000);
  t.ok(converged <= CONVERGE_MS, `both replicas served the new catalog ${converged} ms after the database returned (bound ${CONVERGE_MS} ms)`);
  t.equal(await storedVersions(db), 13, 'the database holds the new catalog, whole');

  assertSurvived(t, serves, await stopReads());
  await stopAll(t, serves);
});
