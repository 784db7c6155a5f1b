import t from 'tap';
import { createTestDatabase, withAdmin } from '../../storage-pg/test/helpers/test-database.js';
import { FaultProxy } from '../../core/test/helpers/fault-proxy.js';
import { ServeProcess, type LogLine } from './helpers/cli.js';
import { copyExample, databaseBlock, fileSourceConfig, replaceFile, sampleRegistry, sampleRegistryWith, writeConfig } from './helpers/fixtures.js';
import { get } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';
import { registryReport, waitForReport } from './helpers/registry-status.js';

/** Log lines a process writes when it runs a sync of `registry` itself. */
function syncLines(serve: ServeProcess, registry: string): LogLine[] {
  return serve.logs.filter((line) => line['registry'] === registry && /^sync (committed|failed|: source unchanged)/.test(String(line.msg)));
}

t.test('two replicas on one database: one syncs, both serve the same data, a commit reaches the other within a second', async (t) => {
  const db = await createTestDatabase(t);
  const dir = t.testdir();
  const registryFile = await copyExample(dir, 'registry.json');
  const config = await writeConfig(dir, fileSourceConfig({ extra: `${databaseBlock(db.databaseConfig())}\ndataDir: ./state` }));

  const first = await ServeProcess.start(t, config);
  await waitForReport(first.baseUrl, 'example', 'the first commit', (r) => r.versionCount === 12);
  const second = await ServeProcess.start(t, config);
  t.equal((await registryReport(second.baseUrl, 'example')).versionCount, 12, 'the second replica starts from the database');

  await replaceFile(registryFile, JSON.stringify(sampleRegistryWith('replicated-server')));
  await Promise.all([first, second].map((serve) => waitForReport(serve.baseUrl, 'example', 'the change on every replica', (r) => r.versionCount === 13)));
  const [a, b] = await Promise.all([first, second].map(async (serve) => (await get(`${serve.baseUrl}/v0.1/servers?limit=100`)).body));
  t.same(a, b, 'both replicas serve identical data');

  // Log lines are written in batches: wait for the commit's line before counting.
  const isCommit = (line: LogLine) => line.msg === 'sync committed' && line['count'] === 13;
  await Promise.any([first, second].map((serve) => serve.waitForLog('the commit logged', isCommit)));
  const syncing = [first, second].filter((serve) => syncLines(serve, 'example').length > 0);
  t.equal(syncing.length, 1, 'exactly one replica syncs the registry');
  const [holder] = syncing;
  const other = holder === first ? second : first;
  const committed = holder?.logs.find(isCommit);
  const reloaded = await other.waitForLog('the other replica reloading', (line) => line.msg === 'stored snapshot loaded' && line['count'] === 13);
  t.ok(committed !== undefined, 'the holder committed the change');
  t.ok(Number(reloaded.time) - Number(committed?.time) < 1000, 'the other replica served it within a second of the commit');

  t.same(await first.stop(), { code: 0, signal: null });
  t.same(await second.stop(), { code: 0, signal: null });
});

t.test('kill -9 during a large commit leaves no partial snapshot', async (t) => {
  const db = await createTestDatabase(t);
  const dir = t.testdir();
  const registryFile = await copyExample(dir, 'registry.json');
  const config = await writeConfig(dir, fileSourceConfig({ extra: `${databaseBlock(db.databaseConfig())}\ndataDir: ./state` }));
  const serve = await ServeProcess.start(t, config);
  await waitForReport(serve.baseUrl, 'example', 'the first commit', (r) => r.versionCount === 12);

  const large = sampleRegistry();
  const template = large.servers['acme-postgres'];
  for (let i = 0; i < 20_000; i++) large.servers[`bulk-${i}`] = { ...template, description: `Bulk server number ${i}` };
  await replaceFile(registryFile, JSON.stringify(large));
  const caught = await pollUntil(
    'the commit to reach the database',
    () =>
      withAdmin(db.url, async (client) => {
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'thv-registry' AND state <> 'idle' AND query ILIKE '%registry_entries%'",
          [db.database],
        );
        return (rows[0]?.n ?? 0) > 0 ? true : undefined;
      }),
    { intervalMs: 5, timeoutMs: 30_000 },
  ).catch(() => false);
  t.same(await serve.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  if (!caught) t.comment('the commit finished before it could be caught in flight');

  // Restart on a source that can no longer deliver, so only what was committed can be served.
  await replaceFile(registryFile, '{ not json');
  const restarted = await ServeProcess.start(t, config);
  const served = (await registryReport(restarted.baseUrl, 'example')).versionCount;
  const stored = await withAdmin(db.url, async (client) => (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM registry_entries WHERE registry = 'example'")).rows[0]?.n);
  t.ok(served === 12 || served === 20_012, `the old or the new snapshot, whole (served ${served})`);
  t.equal(stored, served, 'the database holds exactly what is served');
  t.same(await restarted.stop(), { code: 0, signal: null });
});

t.test('the database down at start and later: no crash, readiness 503 then degraded, reads from memory, recovery', async (t) => {
  const db = await createTestDatabase(t);
  const proxy = await FaultProxy.start({ host: db.host, port: db.port });
  t.teardown(() => proxy.close());
  await proxy.refuse();
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  const config = await writeConfig(
    dir,
    fileSourceConfig({ extra: `${databaseBlock({ ...db.databaseConfig(), host: '127.0.0.1', port: proxy.port })}\ndataDir: ./state` }),
  );

  const serve = await ServeProcess.start(t, config);
  const down = await get<{ detail: string }>(`${serve.baseUrl}/readiness`);
  t.equal(down.status, 503, 'not ready while the database is unreachable');
  t.match(down.body.detail, /storage unavailable: .*PostgreSQL/);
  await serve.waitForLog('a clear log line', (line) => line.msg === 'storage unavailable; retrying');

  await proxy.pass();
  await pollUntil('readiness once the database is back', async () => ((await get(`${serve.baseUrl}/readiness`)).status === 200 ? true : undefined), { timeoutMs: 60_000 });
  await waitForReport(serve.baseUrl, 'example', 'the first commit', (r) => r.versionCount === 12);

  await proxy.refuse();
  const degraded = await pollUntil(
    'readiness to report the database away',
    async () => {
      const readiness = await get<{ status: string; degraded: { component: string; message: string }[] }>(`${serve.baseUrl}/readiness`);
      return readiness.status === 200 && readiness.body.degraded.some((problem) => problem.component === 'storage') ? readiness.body : undefined;
    },
    { timeoutMs: 60_000 },
  );
  t.match(degraded.degraded, [{ component: 'storage', message: /PostgreSQL at 127\.0\.0\.1:\d+/ }], 'still ready, degraded, saying why');
  const list = await get<{ metadata: { count: number } }>(`${serve.baseUrl}/v0.1/servers?limit=100`);
  t.equal(list.status, 200, 'reads are still served from memory');
  t.equal(list.body.metadata.count, 12);

  await proxy.pass();
  await pollUntil(
    'readiness without degradation once the database is back',
    async () => ((await get<{ degraded: unknown[] }>(`${serve.baseUrl}/readiness`)).body.degraded?.length === 0 ? true : undefined),
    { timeoutMs: 60_000 },
  );
  t.same(await serve.stop(), { code: 0, signal: null }, 'it never crashed');
});
