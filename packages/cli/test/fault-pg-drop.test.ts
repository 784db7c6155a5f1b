/**
 * Fault trial: the lease holder's connections are dropped in the middle of a snapshot write, and
 * it stays cut off from the database. The stored catalog is the old one or the new one, never a
 * mix; the other replica takes the lease over once it expires and commits the new catalog; the
 * cut-off replica keeps serving and catches up when it can reach the database again.
 */
import t from 'tap';
import { assertSurvived, CONVERGE_MS, servedVersions, startReplicas, stopAll, storedVersions, waitForCommitInFlight, waitForVersions } from './helpers/fault-trial.js';
import { replaceFile, sampleRegistryWith } from './helpers/fixtures.js';

/** The lease lasts max(2 × interval, 10 s); the replicas sync every 2 s. */
const LEASE_TAKEOVER_MS = 10_000 + 2 * 2_000 + 5_000;

t.test('connections dropped mid-transaction: old or new snapshot, never a mix; the other replica takes the lease over', async (t) => {
  const { db, registryFile, replicas, stopReads } = await startReplicas(t);
  const serves = replicas.map((replica) => replica.serve);
  const [holder, other] = replicas;
  if (holder === undefined || other === undefined) throw new Error('two replicas expected');

  // Every round trip of the holder takes 300 ms, so its commit's transaction stays open a while.
  await holder.proxy.delay(300);
  await replaceFile(registryFile, JSON.stringify(sampleRegistryWith('added-by-the-other-replica')));
  await waitForCommitInFlight(db);
  await holder.proxy.drop();
  await holder.proxy.refuse();
  const droppedAt = Date.now();

  const stored = await storedVersions(db);
  t.ok(stored === 12 || stored === 13, `the stored catalog is the old or the new one, whole (${stored} versions)`);
  await waitForVersions([other.serve], 13, LEASE_TAKEOVER_MS + 10_000);
  const takeover = Date.now() - droppedAt;
  t.ok(takeover <= LEASE_TAKEOVER_MS, `the other replica served the new catalog ${takeover} ms after the drop (bound ${LEASE_TAKEOVER_MS} ms)`);
  await other.serve.waitForLog('the other replica to have synced', (line) => line.msg === 'sync committed' && line['count'] === 13);
  t.pass('the other replica took the lease over and committed the new catalog itself');
  t.equal(await storedVersions(db), 13);
  t.equal(await servedVersions(holder.serve), 12, 'the cut-off replica serves its last good catalog');

  await holder.proxy.pass();
  const converged = await waitForVersions([holder.serve], 13, 30_000);
  t.ok(converged <= CONVERGE_MS, `the cut-off replica caught up ${converged} ms after it could reach the database (bound ${CONVERGE_MS} ms)`);

  assertSurvived(t, serves, await stopReads());
  await stopAll(t, serves);
});
