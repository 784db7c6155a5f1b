/**
 * Fault trial: the network to PostgreSQL drops every packet for 20 s (no reset, no answer). The
 * connection and statement timeouts fire, nothing hangs, reads never fail, and both replicas
 * converge to the catalog changed meanwhile within seconds of the network's return.
 */
import t from 'tap';
import { assertSurvived, readiness, sleep, startReplicas, stopAll, waitForVersions } from './helpers/fault-trial.js';
import { replaceFile, sampleRegistryWith } from './helpers/fixtures.js';
import { pollUntil } from './helpers/poll.js';
import { registryReport } from './helpers/registry-status.js';

const BLACKHOLE_MS = 20_000;
/** A statement in flight when the network returns may still wait out its timeout (2 s + 2 s). */
const RECOVERY_MS = 5_000 + 4_000;

t.test('PostgreSQL blackholed for 20 s: timeouts fire, nothing hangs, recovery after the return', async (t) => {
  const { registryFile, replicas, stopReads } = await startReplicas(t, { database: ['  connectTimeout: 1s', '  statementTimeout: 2s'] });
  const serves = replicas.map((replica) => replica.serve);

  await Promise.all(replicas.map(({ proxy }) => proxy.blackhole()));
  const startedAt = Date.now();
  await replaceFile(registryFile, JSON.stringify(sampleRegistryWith('added-in-the-dark')));

  for (const serve of serves) {
    // A sync's statement gets no answer: the client gives up after statementTimeout + 2 s; the
    // idle LISTEN connection's heartbeat finds it dead within 15 s.
    const ready = await pollUntil(
      'a timeout to show in /readiness',
      async () => {
        const report = await readiness(serve.baseUrl);
        return report.degraded.some((problem) => problem.component === 'storage' && /did not answer in time|timed out|timeout/.test(problem.message))
          ? report
          : undefined;
      },
      { timeoutMs: BLACKHOLE_MS - 2_000, intervalMs: 100 },
    );
    t.equal(ready.status, 200, 'still ready, and says the database does not answer');
    t.equal((await registryReport(serve.baseUrl, 'example')).versionCount, 12, 'the last good catalog is served');
  }
  await sleep(BLACKHOLE_MS - (Date.now() - startedAt));

  await Promise.all(replicas.map(({ proxy }) => proxy.pass()));
  const converged = await waitForVersions(serves, 13, 30_000);
  t.ok(converged <= RECOVERY_MS, `both replicas served the new catalog ${converged} ms after the network returned (bound ${RECOVERY_MS} ms)`);

  assertSurvived(t, serves, await stopReads());
  await stopAll(t, serves);
});

t.test('SIGTERM while PostgreSQL is blackholed: the shutdown does not wait for the database', async (t) => {
  const { replicas, stopReads } = await startReplicas(t, { count: 1, database: ['  connectTimeout: 1s', '  statementTimeout: 2s'] });
  const [replica] = replicas;
  if (replica === undefined) throw new Error('no replica');
  await replica.proxy.blackhole();
  await sleep(3_000);
  assertSurvived(t, [replica.serve], await stopReads());
  const started = Date.now();
  t.same(await replica.serve.stop('SIGTERM', 15_000), { code: 0, signal: null }, 'exit 0');
  t.ok(Date.now() - started <= 8_000, `stopped within ${Date.now() - started} ms (bound 8000 ms)`);
});
