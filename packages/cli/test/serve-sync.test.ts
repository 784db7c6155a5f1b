import { join } from 'node:path';
import t from 'tap';
import { ServeProcess } from './helpers/cli.js';
import { copyExample, fileSourceConfig, OFFICIAL, readStatus, replaceFile, sampleRegistryWith, TOOLHIVE_PREFIX, writeConfig, type StatusFile } from './helpers/fixtures.js';
import { get, keysOf, type ServerListBody, type ServerResponseBody } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';

interface Official {
  publishedAt: string;
  updatedAt: string;
}

function officialOf(body: ServerListBody, name: string): Official | undefined {
  return body.servers.find(({ server }) => server.name === name)?._meta[OFFICIAL] as Official | undefined;
}

t.test('the file source is re-read every interval; a broken file keeps the last good data', async (t) => {
  const dir = t.testdir();
  const registryFile = await copyExample(dir, 'registry.json');
  // dataDir set in the config: storage-fs keeps its files under it.
  const config = await writeConfig(dir, fileSourceConfig({ interval: '1s', extra: 'dataDir: ./state' }));
  const dataDir = join(dir, 'state');
  const serve = await ServeProcess.start(t, config);
  const list = async (): Promise<ServerListBody> => (await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers`)).body;
  const status = (): Promise<StatusFile | undefined> => readStatus(dataDir, 'example');

  const first = await pollUntil('the first sync', async () => {
    const body = await list();
    return body.metadata.count === 12 ? body : undefined;
  });
  t.match(await status(), { phase: 'Complete', serverCount: 12, versionCount: 12 }, 'status.json under dataDir');
  const postgres = `${TOOLHIVE_PREFIX}acme-postgres`;
  const postgresBefore = officialOf(first, postgres);

  t.test('a server added to the file is served after the next sync', async (t) => {
    await replaceFile(registryFile, JSON.stringify(sampleRegistryWith('added-one')));
    const added = `${TOOLHIVE_PREFIX}added-one`;
    const body = await pollUntil('the added server', async () => {
      const current = await list();
      return current.metadata.count === 13 ? current : undefined;
    });
    t.ok(keysOf(body).some((key) => key.startsWith(`${added}@`)), 'listed');
    const one = await get<ServerResponseBody>(`${serve.baseUrl}/v0.1/servers/${encodeURIComponent(added)}/versions/latest`);
    t.equal(one.status, 200, 'served by name');
    t.match(one.body.server, { name: added, title: 'Added added-one' });
    t.same(officialOf(body, postgres), postgresBefore, 'an unchanged entry keeps publishedAt and updatedAt');
    t.match(await status(), { phase: 'Complete', versionCount: 13, consecutiveFailures: 0 });
  });

  t.test('invalid JSON: the old data is still served and the status says Failed', async (t) => {
    const before = await list();
    await replaceFile(registryFile, '{ "servers": { "broken": ');
    const failed = await pollUntil('a Failed status', async () => {
      const current = await status();
      return current?.phase === 'Failed' ? current : undefined;
    });
    t.match(failed.message, registryFile, 'the message names the file');
    t.match(failed.message, /not valid JSON/);
    t.ok(failed.consecutiveFailures >= 1, 'the failure is counted');
    t.equal(failed.versionCount, 13, 'the counts are those of the data still served');
    t.ok(failed.lastSuccess !== undefined && Date.parse(failed.lastSuccess) < Date.parse(failed.lastAttempt ?? ''), 'lastSuccess is the earlier sync');

    const after = await list();
    t.equal(after.metadata.count, 13, 'same count');
    t.same(keysOf(after), keysOf(before), 'same entries');
    t.equal((await get(`${serve.baseUrl}/readiness`)).status, 200, 'still ready');
    await serve.waitForLog('the failure logged', (line) => line.msg === 'sync failed; serving the last good data' && line['registry'] === 'example');
  });

  t.test('a fixed file: the next sync recovers', async (t) => {
    await replaceFile(registryFile, JSON.stringify(sampleRegistryWith('added-one', 'added-two')));
    const recovered = await pollUntil('a Complete status with 14 versions', async () => {
      const current = await status();
      return current?.phase === 'Complete' && current.versionCount === 14 ? current : undefined;
    });
    t.equal(recovered.consecutiveFailures, 0);
    t.equal(recovered.lastSuccess, recovered.lastAttempt);
    const body = await list();
    t.equal(body.metadata.count, 14, 'served');
    t.same(officialOf(body, postgres), postgresBefore, 'acme-postgres still has its first publishedAt');
  });

  t.test('stop', async (t) => {
    t.same(await serve.stop(), { code: 0, signal: null });
  });
});
