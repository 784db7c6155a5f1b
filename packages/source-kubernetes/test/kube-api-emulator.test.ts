/**
 * The Kubernetes API emulator speaks the API server's wire protocol: discovery, lists, watch
 * streams with replay, bookmarks and 410 Gone, bearer tokens, TLS, and refusing connections.
 */
import { request as httpsRequest } from 'node:https';
import t from 'tap';
import { toolhiveResource, type KubeApiEmulator } from './helpers/kube-api-emulator.js';
import { startEmulator } from './helpers/source-harness.js';

const GROUP_PATH = '/apis/toolhive.stacklok.dev';

async function getJson(emulator: KubeApiEmulator, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${emulator.url}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

/** Opens a watch and collects its events until `count` arrived or the stream ends. */
async function watchEvents(emulator: KubeApiEmulator, path: string, count: number): Promise<{ events: any[]; ended: boolean }> {
  const controller = new AbortController();
  const response = await fetch(`${emulator.url}${path}`, { signal: controller.signal });
  const events: any[] = [];
  let buffered = '';
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  while (events.length < count) {
    const { done, value } = await reader.read();
    if (done) return { events, ended: true };
    buffered += decoder.decode(value, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    events.push(...lines.map((line) => JSON.parse(line)));
  }
  controller.abort();
  return { events, ended: false };
}

/** Applies MCPServer a/one, then a/two; returns the resource version in between. */
function oneThenTwo(emulator: KubeApiEmulator): number {
  emulator.apply(toolhiveResource('MCPServer', 'a', 'one'));
  const between = emulator.resourceVersion;
  emulator.apply(toolhiveResource('MCPServer', 'a', 'two'));
  return between;
}

t.test('discovery: /api, /apis, the group and its versions', async (t) => {
  const emulator = await startEmulator(t);
  t.match((await getJson(emulator, '/api')).body, { kind: 'APIVersions', versions: ['v1'] });
  const groups = (await getJson(emulator, '/apis/')).body;
  t.match(groups, { kind: 'APIGroupList', groups: [{ name: 'toolhive.stacklok.dev', preferredVersion: { version: 'v1beta1' } }] });
  t.same(groups.groups[0].versions.map((v: any) => v.version), ['v1beta1', 'v1alpha1']);
  t.match((await getJson(emulator, GROUP_PATH)).body, { kind: 'APIGroup', name: 'toolhive.stacklok.dev' });
  const resources = (await getJson(emulator, `${GROUP_PATH}/v1beta1`)).body;
  t.equal(resources.kind, 'APIResourceList');
  t.same(
    resources.resources.filter((r: any) => !r.name.includes('/')).map((r: any) => [r.name, r.kind, r.namespaced]),
    [
      ['mcpservers', 'MCPServer', true],
      ['virtualmcpservers', 'VirtualMCPServer', true],
      ['mcpremoteproxies', 'MCPRemoteProxy', true],
    ],
  );

  emulator.serve({ v1alpha1: ['MCPServer'] });
  t.same((await getJson(emulator, '/apis')).body.groups[0].versions, [{ groupVersion: 'toolhive.stacklok.dev/v1alpha1', version: 'v1alpha1' }]);
  t.match(await getJson(emulator, `${GROUP_PATH}/v1beta1`), { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound' } });
  t.match(await getJson(emulator, `${GROUP_PATH}/v1alpha1/mcpremoteproxies`), { status: 404 }, 'a kind not served at that version');
  emulator.serve({});
  t.same((await getJson(emulator, '/apis')).body.groups, [], 'no group at all');
  t.match(await getJson(emulator, GROUP_PATH), { status: 404 });
});

t.test('lists namespaced and cluster-wide, with one resource version counter', async (t) => {
  const emulator = await startEmulator(t);
  const first = emulator.apply(toolhiveResource('MCPServer', 'team-a', 'fetch', { spec: { image: 'ghcr.io/x/fetch:1.0.0' } }));
  emulator.apply(toolhiveResource('MCPServer', 'team-b', 'time'));
  emulator.apply(toolhiveResource('VirtualMCPServer', 'team-a', 'all'));
  t.match(first.metadata, { namespace: 'team-a', resourceVersion: '2', uid: /^[0-9a-f-]{36}$/, creationTimestamp: /Z$/ });

  const all = await getJson(emulator, `${GROUP_PATH}/v1beta1/mcpservers`);
  t.equal(all.status, 200);
  t.match(all.body, { apiVersion: 'toolhive.stacklok.dev/v1beta1', kind: 'MCPServerList', metadata: { resourceVersion: '4' } });
  t.same(all.body.items.map((item: any) => `${item.metadata.namespace}/${item.metadata.name}`), ['team-a/fetch', 'team-b/time']);
  t.equal(all.body.items[0].apiVersion, 'toolhive.stacklok.dev/v1beta1', 'items carry apiVersion and kind');

  const alpha = await getJson(emulator, `${GROUP_PATH}/v1alpha1/namespaces/team-a/mcpservers`);
  t.same(alpha.body.items.map((item: any) => [item.apiVersion, item.metadata.name]), [['toolhive.stacklok.dev/v1alpha1', 'fetch']]);
  t.match(await getJson(emulator, `${GROUP_PATH}/v1beta1/namespaces/team-a/mcpservers/fetch`), { status: 200, body: { kind: 'MCPServer' } });
  t.match(await getJson(emulator, `${GROUP_PATH}/v1beta1/namespaces/team-a/mcpservers/nope`), { status: 404, body: { kind: 'Status' } });

  const again = emulator.apply({ ...first, spec: { image: 'ghcr.io/x/fetch:1.1.0' } });
  t.equal(again.metadata.uid, first.metadata.uid, 'an update keeps the uid');
  t.equal(again.metadata.resourceVersion, '5');
  t.equal(emulator.delete('MCPServer', 'team-a', 'fetch'), true);
  t.equal(emulator.delete('MCPServer', 'team-a', 'fetch'), false);
  t.equal(emulator.resourceVersion, 6);
});

t.test('a watch replays the changes after its version, then streams live ones and bookmarks', async (t) => {
  const emulator = await startEmulator(t);
  const listed = oneThenTwo(emulator);
  emulator.apply(toolhiveResource('MCPServer', 'b', 'other-namespace'));
  const path = `${GROUP_PATH}/v1beta1/namespaces/a/mcpservers?watch=true&resourceVersion=${listed}&allowWatchBookmarks=true`;
  const collected = watchEvents(emulator, path, 4);
  await emulator.waitFor((e) => e.openWatches === 1);
  emulator.apply(toolhiveResource('MCPServer', 'a', 'one', { annotations: { changed: 'yes' } }));
  emulator.sendBookmarks();
  emulator.delete('MCPServer', 'a', 'two');
  const { events } = await collected;
  t.same(
    events.map((event) => [event.type, event.object.metadata.name ?? null, event.object.metadata.resourceVersion]),
    [
      ['ADDED', 'two', '3'],
      ['MODIFIED', 'one', '5'],
      ['BOOKMARK', null, '5'],
      ['DELETED', 'two', '6'],
    ],
  );
  t.equal(events[0].object.apiVersion, 'toolhive.stacklok.dev/v1beta1');
  const watch = emulator.requests.find((request) => request.watch);
  t.match(watch, { path: `${GROUP_PATH}/v1beta1/namespaces/a/mcpservers`, query: { resourceVersion: String(listed) }, status: 200 });
  await emulator.waitFor((e) => e.openWatches === 0);
});

t.test('a watch without a version starts with the current objects', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(toolhiveResource('MCPRemoteProxy', 'a', 'proxy'));
  const { events } = await watchEvents(emulator, `${GROUP_PATH}/v1beta1/mcpremoteproxies?watch=1`, 1);
  t.match(events, [{ type: 'ADDED', object: { kind: 'MCPRemoteProxy', metadata: { name: 'proxy' } } }]);
});

t.test('a watch ends cleanly after its timeoutSeconds', async (t) => {
  const emulator = await startEmulator(t);
  const { events, ended } = await watchEvents(emulator, `${GROUP_PATH}/v1beta1/mcpservers?watch=true&timeoutSeconds=1`, 1);
  t.same([events, ended], [[], true]);
  t.equal(emulator.openWatches, 0);
});

t.test('410 Gone after compaction: an ERROR event, or HTTP 410 with goneAs status', async (t) => {
  const emulator = await startEmulator(t);
  const old = oneThenTwo(emulator);
  emulator.compact();
  const { events, ended } = await watchEvents(emulator, `${GROUP_PATH}/v1beta1/mcpservers?watch=true&resourceVersion=${old}`, 5);
  t.equal(ended, true, 'the stream ends after the error');
  t.match(events, [{ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }]);
  t.match(await getJson(emulator, `${GROUP_PATH}/v1beta1/mcpservers?resourceVersion=${old}`), { status: 410, body: { code: 410 } });
  const current = await watchEvents(emulator, `${GROUP_PATH}/v1beta1/mcpservers?watch=true&resourceVersion=${emulator.resourceVersion}`, 0);
  t.same(current.events, [], 'a watch from the current version is fine');

  const strict = await startEmulator(t, { goneAs: 'status' });
  const strictOld = oneThenTwo(strict);
  strict.compact();
  t.match(await getJson(strict, `${GROUP_PATH}/v1beta1/mcpservers?watch=true&resourceVersion=${strictOld}`), { status: 410, body: { kind: 'Status', code: 410 } });
});

t.test('bearer tokens: 401 without the right one; the log keeps no token', async (t) => {
  const emulator = await startEmulator(t, { token: 's3cret' });
  t.match(await getJson(emulator, '/apis'), { status: 401, body: { kind: 'Status', code: 401, reason: 'Unauthorized' } });
  t.match(await getJson(emulator, '/apis', { authorization: 'Bearer wrong' }), { status: 401 });
  t.match(await getJson(emulator, '/apis', { authorization: 'Bearer s3cret' }), { status: 200 });
  t.same(emulator.requests.map((request) => [request.authorized, request.status]), [[false, 401], [false, 401], [true, 200]]);
  t.notMatch(JSON.stringify(emulator.requests), /s3cret/);
});

t.test('drops watches on demand, refuses connections while stopped, serves again on the same port', async (t) => {
  const emulator = await startEmulator(t);
  const dropped = watchEvents(emulator, `${GROUP_PATH}/v1beta1/mcpservers?watch=true`, 10);
  await emulator.waitFor((e) => e.openWatches === 1);
  emulator.dropWatches();
  await t.rejects(dropped, 'an abrupt drop breaks the stream');
  const ended = watchEvents(emulator, `${GROUP_PATH}/v1beta1/mcpservers?watch=true`, 10);
  await emulator.waitFor((e) => e.openWatches === 1);
  emulator.dropWatches({ graceful: true });
  t.match(await ended, { ended: true }, 'a graceful drop ends it cleanly');

  const { port } = emulator;
  await emulator.stop();
  await t.rejects(fetch(`${emulator.url}/apis`), { cause: { code: 'ECONNREFUSED' } });
  await emulator.restart();
  t.equal(emulator.port, port);
  t.match(await getJson(emulator, '/apis'), { status: 200 });
});

t.test('HTTPS with a self-signed certificate the client trusts as its CA', async (t) => {
  const emulator = await startEmulator(t, { tls: true });
  t.match(emulator.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.match(emulator.ca, /^-----BEGIN CERTIFICATE-----/);
  const status = await new Promise<number | undefined>((resolve, reject) => {
    httpsRequest(`${emulator.url}/api`, { ca: emulator.ca }, (response) => {
      response.resume();
      resolve(response.statusCode);
    })
      .on('error', reject)
      .end();
  });
  t.equal(status, 200);
  await t.rejects(fetch(`${emulator.url}/api`), 'not trusted without the CA');
});
