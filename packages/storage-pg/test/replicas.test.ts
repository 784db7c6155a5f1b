import t from 'tap';
import { CHANGE_CHANNEL } from '../src/index.js';
import { entry, openStorage, status, waitFor } from './fixtures.js';
import { createTestDatabase } from './helpers/test-database.js';

const T1 = '2025-01-01T00:00:00.000Z';

t.test('leases across two storages: exclusive, renewed by the holder, taken over after expiry, released', async (t) => {
  const db = await createTestDatabase(t);
  const a = await openStorage(t, db.databaseConfig());
  const b = await openStorage(t, db.databaseConfig());

  t.equal(await a.tryLease('default', 'replica-a', 60_000), true, 'free: taken');
  t.equal(await b.tryLease('default', 'replica-b', 60_000), false, 'held by another: refused');
  t.equal(await a.tryLease('default', 'replica-a', 60_000), true, 'held by itself: renewed');
  t.equal(await b.tryLease('other', 'replica-b', 60_000), true, 'leases are per registry');

  await b.releaseLease('default', 'replica-b');
  t.equal(await b.tryLease('default', 'replica-b', 60_000), false, 'releasing a lease one does not hold is a no-op');
  await a.releaseLease('default', 'replica-a');
  t.equal(await b.tryLease('default', 'replica-b', 60_000), true, 'released: free again');

  t.equal(await a.tryLease('short', 'replica-a', 100), true);
  t.equal(await b.tryLease('short', 'replica-b', 60_000), false);
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.equal(await b.tryLease('short', 'replica-b', 60_000), true, 'expired: taken over');
  t.equal(await a.tryLease('short', 'replica-a', 60_000), false, 'the former holder lost it');
});

t.test('concurrent tryLease: exactly one winner', async (t) => {
  const db = await createTestDatabase(t);
  const storages = await Promise.all([1, 2, 3].map(() => openStorage(t, db.databaseConfig())));
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => storages[i % 3]!.tryLease('default', `holder-${i}`, 60_000)),
  );
  t.equal(results.filter(Boolean).length, 1);
});

t.test('a commit reaches another instance within a second, not its own watchers', async (t) => {
  const db = await createTestDatabase(t);
  const a = await openStorage(t, db.databaseConfig());
  const b = await openStorage(t, db.databaseConfig());
  const seenByA: string[] = [];
  const seenByB: string[] = [];
  a.watch((registry) => seenByA.push(registry));
  const stopB = b.watch((registry) => seenByB.push(registry));

  const started = Date.now();
  await a.commit('team/prod', [entry('io.github.test/one')], status(T1));
  await waitFor(() => seenByB.length > 0, 1000, 'the notice at b');
  t.ok(Date.now() - started < 1000);
  t.same(seenByB, ['team/prod']);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(seenByA, [], 'not reported to the committer');

  await a.saveStatus('team/prod', status(T1, { phase: 'Syncing' }));
  stopB();
  await a.commit('team/prod', [], status(T1));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(seenByB, ['team/prod'], 'saveStatus does not notify; an unsubscribed watcher hears nothing');
});

t.test('a hand-written NOTIFY with the registry name alone is reported', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const seen: string[] = [];
  storage.watch((registry) => seen.push(registry));
  const admin = await db.adminClient();
  await admin.query(`NOTIFY ${CHANGE_CHANNEL}, 'default'`);
  await admin.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, JSON.stringify({ registry: 'other', origin: storage.instanceId })]);
  await admin.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, JSON.stringify({ registry: 'third', origin: 'elsewhere' })]);
  await waitFor(() => seen.length >= 2, 1000, 'two notices');
  t.same(seen, ['default', 'third']);
});

t.test('the LISTEN connection: unhealthy when its backend is terminated, healthy again after reconnecting, then catches up', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const other = await openStorage(t, db.databaseConfig());
  await other.commit('one', [entry('io.github.test/one')], status(T1));
  await other.commit('two', [entry('io.github.test/two')], status(T1));
  await other.saveStatus('status-only', status(T1));
  const seen: string[] = [];
  storage.watch((registry) => seen.push(registry));
  await new Promise((resolve) => setTimeout(resolve, 200));
  seen.length = 0;
  t.same(storage.health(), { healthy: true });

  const admin = await db.adminClient();
  const killed = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'thv-registry-listen'`,
    [db.database],
  );
  t.equal(killed.rowCount, 2, 'both instances listen');
  await waitFor(() => !storage.health().healthy, 2000, 'unhealthy');
  t.match(storage.health().message, /^lost the LISTEN connection to PostgreSQL at .* as .*; reconnecting$/);
  await waitFor(() => storage.health().healthy, 5000, 'healthy again');
  await waitFor(() => seen.length === 2, 2000, 'the catch-up');
  t.same(seen.sort(), ['one', 'two'], 'every committed registry is reported after reconnecting');

  seen.length = 0;
  await other.commit('one', [], status(T1));
  await waitFor(() => seen.length === 1, 1000, 'a notice on the new connection');
});

t.test('the heartbeat keeps a healthy LISTEN connection as it is', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig(), { env: {}, listener: { heartbeatMs: 50 } });
  const other = await openStorage(t, db.databaseConfig());
  const seen: string[] = [];
  storage.watch((registry) => seen.push(registry));
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.same(storage.health(), { healthy: true });
  await other.commit('default', [], status(T1));
  await waitFor(() => seen.length === 1, 1000, 'the notice');
  t.same(seen, ['default']);
});
