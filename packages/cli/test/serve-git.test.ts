import { join } from 'node:path';
import t from 'tap';
import { commitFile, createBareRepo, startGitHttpServer } from '../../source-git/test/helpers/git-http-server.js';
import { ServeProcess } from './helpers/cli.js';
import { readStatus, sampleRegistry, sampleRegistryWith, writeConfig } from './helpers/fixtures.js';
import { get, type ServerListBody } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';
import { waitForReport } from './helpers/registry-status.js';

t.test('serve with a git source follows pushes, survives a bad push and recovers', async (t) => {
  const dir = t.testdir();
  const repo = join(dir, 'repos', 'catalog.git');
  await createBareRepo(repo, { 'registry/registry.json': JSON.stringify(sampleRegistry(), null, 2) });
  const gitServer = await startGitHttpServer({ root: join(dir, 'repos'), auth: { username: 'bot', password: 's3cret-token' } });
  t.teardown(() => gitServer.close());
  await writeConfig(dir, 's3cret-token\n', 'git-password');
  const config = await writeConfig(
    dir,
    [
      'registryName: catalog',
      'dataDir: ./state',
      'source:',
      '  type: git',
      '  format: toolhive',
      '  git:',
      `    repository: ${gitServer.url}/catalog.git`,
      '    branch: main',
      '    path: registry/registry.json',
      '    auth: { username: bot, passwordFile: ./git-password }',
      'syncPolicy: { interval: 1s }',
      '',
    ].join('\n'),
  );

  const serve = await ServeProcess.start(t, config);
  const url = serve.baseUrl;
  const first = await waitForReport(url, 'catalog', 'the first sync', (r) => r.versionCount === 12);
  t.match(first, { type: 'git', source: `git ${gitServer.url}/catalog.git`, status: { phase: 'Complete' } });

  await commitFile(repo, 'registry/registry.json', JSON.stringify(sampleRegistryWith('pushed-server')));
  await waitForReport(url, 'catalog', 'the pushed server', (r) => r.versionCount === 13);
  const pushed = await get(`${url}/v0.1/servers/${encodeURIComponent('io.github.stacklok/pushed-server')}/versions/latest`);
  t.equal(pushed.status, 200, 'the pushed server is served');

  await commitFile(repo, 'registry/registry.json', '{ "servers": { broken');
  const failed = await waitForReport(url, 'catalog', 'the failed sync', (r) => r.status?.phase === 'Failed');
  t.match(failed.status?.message, /registry\/registry\.json.*not valid JSON/);
  t.equal(failed.versionCount, 13, 'the last good data is still served');
  t.equal((await get<ServerListBody>(`${url}/v0.1/servers?limit=100`)).body.metadata.count, 13);
  // The status route shows the failure as soon as it happens; the stored status follows once
  // written. A retry may be under way (phase Syncing) by then, with the failure count kept.
  const persisted = await pollUntil('the failure persisted', async () => {
    const stored = await readStatus(join(dir, 'state'), 'catalog');
    return (stored?.consecutiveFailures ?? 0) >= 1 ? stored : undefined;
  });
  t.match(persisted, { versionCount: 13 }, 'the failure is persisted with the counts of the data kept');

  await commitFile(repo, 'registry/registry.json', JSON.stringify(sampleRegistryWith('pushed-server', 'fixed-server')));
  const recovered = await waitForReport(url, 'catalog', 'the recovery', (r) => r.status?.phase === 'Complete' && r.versionCount === 14);
  t.equal(recovered.status?.consecutiveFailures, 0);

  t.notMatch(serve.transcript(), /s3cret-token/, 'the git password never reaches the logs');
  t.same(await serve.stop(), { code: 0, signal: null });
});
