/**
 * `serve` with the kubernetes source against a Kubernetes API emulator on 127.0.0.1 (the real
 * client library talks to it): the example config serves the exported resources, every change of
 * the cluster reaches the routes within moments (a watch, not the 10-minute interval), and
 * `/api/v0/deployed` lists every instance, exported or not.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startEmulator, exportedResource } from '../../source-kubernetes/test/helpers/source-harness.js';
import { toolhiveResource, type KubeApiEmulator } from '../../source-kubernetes/test/helpers/kube-api-emulator.js';
import { writeKubeconfig } from '../../source-kubernetes/test/helpers/kubeconfig.js';
import { EXAMPLES_DIR, ServeProcess } from './helpers/cli.js';
import { get, type ServerListBody } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';

interface DeployedList {
  servers: { name: string; namespace: string; kind: string; serverName?: string; exported: boolean; phase?: string; url?: string }[];
  total: number;
}

/** The names `/v0.1/servers` serves. */
async function served(baseUrl: string): Promise<string[]> {
  return (await get<ServerListBody>(`${baseUrl}/v0.1/servers`)).body.servers.map(({ server }) => server.name).sort();
}

/** Waits (at most 2 s: a watch event, not the interval) until `/v0.1/servers` serves `names`. */
function servedSoon(baseUrl: string, names: string[]): Promise<true> {
  return pollUntil(`serving ${names.join(', ')}`, async () => (JSON.stringify(await served(baseUrl)) === JSON.stringify(names) ? true : undefined), {
    timeoutMs: 2_000,
  });
}

/** `serve` on examples/config-kubernetes.yaml with a kubeconfig of `emulator`, once it serves `names`. */
async function serveExample(t: Test, emulator: KubeApiEmulator, names: string[]): Promise<ServeProcess> {
  const dir = t.testdir();
  const kubeconfig = await writeKubeconfig(dir, emulator);
  const serve = await ServeProcess.start(t, join(EXAMPLES_DIR, 'config-kubernetes.yaml'), {
    env: { KUBECONFIG: kubeconfig, THV_DATA_DIR: join(dir, 'data') },
  });
  await servedSoon(serve.baseUrl, names);
  return serve;
}

t.test('examples/config-kubernetes.yaml: exported resources served, changes within moments, deployed instances listed', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'team-a', 'weather', { 'toolhive.stacklok.dev/registry-title': 'Weather' }));
  emulator.apply(toolhiveResource('MCPServer', 'team-b', 'scratch', { status: { phase: 'Pending' } }));
  emulator.apply(exportedResource('MCPServer', 'team-c', 'elsewhere'));
  const serve = await serveExample(t, emulator, ['com.example.mcp/team-a.weather']);

  const deployed = await get<DeployedList>(`${serve.baseUrl}/api/v0/deployed`);
  t.equal(deployed.status, 200);
  t.match(deployed.body, {
    total: 2,
    servers: [
      { name: 'weather', namespace: 'team-a', kind: 'MCPServer', serverName: 'com.example.mcp/team-a.weather', exported: true, url: 'http://weather.team-a.svc:8080/mcp' },
      { name: 'scratch', namespace: 'team-b', kind: 'MCPServer', exported: false, phase: 'Pending' },
    ],
  }, 'both watched namespaces, exported or not; team-c is not watched');
  const one = await get<DeployedList>(`${serve.baseUrl}/api/v0/deployed/com.example.mcp%2Fteam-a.weather`);
  t.same(one.body.servers.map((s) => `${s.namespace}/${s.name}`), ['team-a/weather']);
  const unknown = await get<{ status: number; detail: string }>(`${serve.baseUrl}/api/v0/deployed/com.example.mcp%2Fnone`);
  t.equal(unknown.status, 404);
  t.match(unknown.body.detail, 'no deployed instance of server "com.example.mcp/none"');

  emulator.apply(exportedResource('MCPRemoteProxy', 'team-b', 'github'));
  await servedSoon(serve.baseUrl, ['com.example.mcp/team-a.weather', 'com.example.mcp/team-b.github']);
  t.pass('an added resource is served');

  emulator.apply(toolhiveResource('MCPServer', 'team-a', 'weather', { status: { phase: 'Running', url: 'http://weather.team-a.svc:8080/mcp' } }));
  await servedSoon(serve.baseUrl, ['com.example.mcp/team-b.github']);
  t.pass('a resource whose export annotation is removed is no longer served');
  const after = await get<DeployedList>(`${serve.baseUrl}/api/v0/deployed/com.example.mcp%2Fteam-a.weather`);
  t.equal(after.status, 404, 'and no longer named as that server');

  emulator.delete('MCPRemoteProxy', 'team-b', 'github');
  await servedSoon(serve.baseUrl, []);
  t.pass('a deleted resource is no longer served');
  t.equal((await get<DeployedList>(`${serve.baseUrl}/api/v0/deployed`)).body.total, 2, 'the two unexported MCPServers still run');

  t.same(await serve.stop(), { code: 0, signal: null }, 'stops cleanly, watches and all');
});

t.test('the API server away: the last catalog and instances are still served; the watch reconnects', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'team-a', 'weather'));
  const serve = await serveExample(t, emulator, ['com.example.mcp/team-a.weather']);

  await emulator.stop();
  t.same(await served(serve.baseUrl), ['com.example.mcp/team-a.weather'], 'reads go on from memory');
  t.equal((await get(`${serve.baseUrl}/readiness`)).status, 200, 'and the server stays ready');
  t.equal((await get<DeployedList>(`${serve.baseUrl}/api/v0/deployed`)).body.total, 1, 'deployed answers from the last seen state');

  await emulator.restart();
  emulator.apply(exportedResource('MCPServer', 'team-b', 'search'));
  await pollUntil('the new resource after the reconnection', async () =>
    (await served(serve.baseUrl)).includes('com.example.mcp/team-b.search') ? true : undefined, { timeoutMs: 40_000 });
  t.pass('the watch reconnects and the change is served');
  t.same(await serve.stop(), { code: 0, signal: null });
});
