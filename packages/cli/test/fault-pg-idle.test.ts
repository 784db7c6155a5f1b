/**
 * Fault trial: PostgreSQL stopped for 30 s while two replicas are idle, and the source changed
 * meanwhile. Reads never fail, both replicas stay ready (degraded, saying why) and converge to
 * the new catalog within seconds of the database's return.
 */
import t from 'tap';
import { assertSurvived, CONVERGE_MS, OUTAGE_MS, readiness, servedVersions, sleep, startReplicas, stopAll, waitForVersions } from './helpers/fault-trial.js';
import { replaceFile, sampleRegistryWith } from './helpers/fixtures.js';
import { pollUntil } from './helpers/poll.js';

t.test('PostgreSQL stopped for 30 s while idle: reads go on, both replicas converge after it returns', async (t) => {
  const { registryFile, replicas, stopReads } = await startReplicas(t);
  const serves = replicas.map((replica) => replica.serve);

  await Promise.all(replicas.map(({ proxy }) => proxy.refuse()));
  const stoppedAt = Date.now();
  await replaceFile(registryFile, JSON.stringify(sampleRegistryWith('added-during-outage')));
  for (const serve of serves) {
    const ready = await pollUntil('the outage to show in /readiness', async () => {
      const report = await readiness(serve.baseUrl);
      return report.degraded.some((problem) => problem.component === 'storage') ? report : undefined;
    });
    t.equal(ready.status, 200, 'still ready while the database is away');
    t.match(ready.degraded.find((problem) => problem.component === 'storage')?.message, /PostgreSQL at 127\.0\.0\.1:\d+/, 'says what fails');
  }
  await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
  t.same(await Promise.all(serves.map(servedVersions)), [12, 12], 'the last good catalog was served throughout');

  await Promise.all(replicas.map(({ proxy }) => proxy.pass()));
  const converged = await waitForVersions(serves, 13, 30_000);
  t.ok(converged <= CONVERGE_MS, `both replicas served the new catalog ${converged} ms after the database returned (bound ${CONVERGE_MS} ms)`);
  await pollUntil('readiness without degradation', async () => ((await Promise.all(serves.map((serve) => readiness(serve.baseUrl)))).every((r) => r.degraded.length === 0) ? true : undefined));

  assertSurvived(t, serves, await stopReads());
  await stopAll(t, serves);
});
