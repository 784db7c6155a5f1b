import { join } from 'node:path';
import t from 'tap';
import { UpstreamEmulator } from '../../source-api/test/helpers/upstream-emulator.js';
import { ServeProcess } from './helpers/cli.js';
import { readStatus, writeConfig } from './helpers/fixtures.js';
import { get } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';
import { registryReport, waitForReport } from './helpers/registry-status.js';

/** Versions the emulator serves that are not deleted: what a full mirror shows. */
function visibleCount(emulator: UpstreamEmulator): number {
  return emulator.all().filter((version) => version.status !== 'deleted').length;
}

t.test('serve with an api source: killed mid-sync, it restarts on the last good snapshot and completes', async (t) => {
  const emulator = await UpstreamEmulator.start({ versions: 2_000 });
  t.teardown(() => emulator.close());
  const dir = t.testdir();
  const config = await writeConfig(
    dir,
    [
      'registryName: upstream',
      'dataDir: ./state',
      'source:',
      '  type: api',
      '  api:',
      `    endpoint: ${emulator.url}`,
      // Every sync reads everything: the slow full read is what gets killed.
      '    fullResyncInterval: 1s',
      'syncPolicy: { interval: 1h }',
      '',
    ].join('\n'),
  );

  const first = await ServeProcess.start(t, config);
  const expected = visibleCount(emulator);
  const synced = await waitForReport(first.baseUrl, 'upstream', 'the first full sync', (r) => r.status?.phase === 'Complete');
  t.equal(synced.versionCount, expected, 'every visible upstream version is mirrored');
  t.same(await first.stop(), { code: 0, signal: null });

  const added = emulator.publish();
  emulator.pageDelayMs = 300;
  const pagesBefore = emulator.listRequests().length;
  const killed = await ServeProcess.start(t, config);
  await pollUntil('the slow sync to be under way', () => (emulator.listRequests().length >= pagesBefore + 3 ? true : undefined));
  t.equal((await registryReport(killed.baseUrl, 'upstream')).status?.phase, 'Syncing');
  t.same(await killed.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  t.match(await readStatus(join(dir, 'state'), 'upstream'), { phase: 'Syncing', versionCount: expected }, 'killed while syncing');

  // Still a little slow, so the first request lands before this sync completes.
  emulator.pageDelayMs = 100;
  const restarted = await ServeProcess.start(t, config);
  const atOnce = await registryReport(restarted.baseUrl, 'upstream');
  t.equal(atOnce.versionCount, expected, 'the last good snapshot is served at once, nothing partial');
  t.equal((await get(`${restarted.baseUrl}/readiness`)).status, 200, 'ready before the sync completes');
  const completed = await waitForReport(restarted.baseUrl, 'upstream', 'the sync to complete', (r) => r.versionCount === expected + 1);
  t.match(completed.status, { phase: 'Complete', consecutiveFailures: 0 });
  const latest = await get(`${restarted.baseUrl}/v0.1/servers/${encodeURIComponent(added.server.name)}/versions/${added.server.version}`);
  t.equal(latest.status, 200, 'the version published meanwhile is served');
  await restarted.waitForLog('the interrupted sync reported at start', (line) => /interrupted/.test(String(line.msg)));
  t.same(await restarted.stop(), { code: 0, signal: null });
});
