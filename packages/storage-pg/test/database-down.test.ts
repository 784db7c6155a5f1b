import t from 'tap';
import { StorageError } from '@thv/registry-core';
import { entry, failure, openStorage, status, waitFor } from './fixtures.js';
import { createTestDatabase } from './helpers/test-database.js';
import { FaultProxy } from '../../core/test/helpers/fault-proxy.js';

const T1 = '2025-01-01T00:00:00.000Z';
const T2 = '2025-01-01T00:05:00.000Z';

t.test('the database goes away and comes back: unhealthy with the reason, then healthy and caught up', async (t) => {
  const db = await createTestDatabase(t);
  const proxy = await FaultProxy.start({ host: db.host, port: db.port });
  t.teardown(() => proxy.close());
  const storage = await openStorage(t, db.databaseConfig({ host: '127.0.0.1', port: proxy.port }));
  const direct = await openStorage(t, db.databaseConfig());
  const entries = [entry('io.github.test/one')];
  await storage.commit('default', entries, status(T1));
  const seen: string[] = [];
  storage.watch((registry) => seen.push(registry));

  await proxy.refuse();
  await waitFor(() => !storage.health().healthy, 2000, 'unhealthy');
  t.match(storage.health().message, /^lost the LISTEN connection to PostgreSQL at 127\.0\.0\.1:\d+ as .* \(.*\); reconnecting$/);

  const error = await failure(storage.load('default'));
  t.type(error, StorageError);
  t.equal(error.message, `cannot connect to PostgreSQL at 127.0.0.1:${proxy.port} as ${db.adminUser}: connection refused`);
  await waitFor(() => /connection refused/.test(storage.health().message ?? ''), 2000, 'the reconnection to be refused');

  // Meanwhile, another replica commits: the notice is lost, the catch-up reports it.
  await direct.commit('default', [...entries, entry('io.github.test/two')], status(T2));

  await proxy.pass();
  await waitFor(() => storage.health().healthy === true || storage.health().message?.startsWith('cannot connect') === true, 5000, 'the listener back');
  await waitFor(() => seen.includes('default'), 5000, 'the catch-up notice');
  t.equal((await storage.load('default')).entries?.length, 2, 'reads the other replica\'s commit');
  t.same(storage.health(), { healthy: true }, 'healthy once the listener is back and a statement succeeded');
});
