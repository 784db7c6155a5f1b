/**
 * Fault trial: PostgreSQL goes away while a commit's notification fans out. One replica is cut
 * off first, so it misses the notice of the other's commit; then the database stops for 30 s.
 * When it returns, the replica that missed the notice catches up by itself within seconds.
 */
import t from 'tap';
import { assertSurvived, CONVERGE_MS, OUTAGE_MS, servedVersions, sleep, startReplicas, stopAll, storedVersions, waitForVersions } from './helpers/fault-trial.js';
import { replaceFile, sampleRegistryWith } from './helpers/fixtures.js';
import { pollUntil } from './helpers/poll.js';

t.test('PostgreSQL stopped during a NOTIFY fan-out: the replica that missed the notice converges after the return', async (t) => {
  const { db, registryFile, replicas, stopReads } = await startReplicas(t);
  const serves = replicas.map((replica) => replica.serve);
  const [holder, follower] = replicas;
  if (holder === undefined || follower === undefined) throw new Error('two replicas expected');

  await follower.proxy.refuse();
  await replaceFile(registryFile, JSON.stringify(sampleRegistryWith('added-while-notifying')));
  await pollUntil('the holder committing the change', async () => ((await storedVersions(db)) === 13 ? true : undefined), { intervalMs: 20 });
  await holder.proxy.refuse();
  const stoppedAt = Date.now();
  t.equal(await servedVersions(follower.serve), 12, 'the cut-off replica missed the notice and serves its last good catalog');

  await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
  await Promise.all(replicas.map(({ proxy }) => proxy.pass()));
  const converged = await waitForVersions(serves, 13, 30_000);
  t.ok(converged <= CONVERGE_MS, `both replicas served the new catalog ${converged} ms after the database returned (bound ${CONVERGE_MS} ms)`);

  assertSurvived(t, serves, await stopReads());
  await stopAll(t, serves);
});
