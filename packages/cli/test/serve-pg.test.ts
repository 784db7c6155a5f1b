import t from 'tap';
import { createTestDatabase, withAdmin } from '../../storage-pg/test/helpers/test-database.js';
import { ServeProcess, type LogLine } from './helpers/cli.js';
import { waitForCommitInFlight } from './helpers/fault-trial.js';
import { copyExample, databaseBlock, fileSourceConfig, replaceFile, sampleRegistry, sampleRegistryWith, writeConfig } from './helpers/fixtures.js';
import { get } from './helpers/http.js';
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
  const caught = await waitForCommitInFlight(db, 5).then(
    () => true,
    () => false,
  );
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
