/**
 * The source lists and watches ToolHive resources: the first fetch sees every exported resource of
 * the watched namespaces; each later change reaches `watch`'s callback as an event (no polling)
 * and the next fetch.
 */
import t from 'tap';
import { fetchRequest } from './helpers/context.js';
import { toolhiveResource } from './helpers/kube-api-emulator.js';
import { entryNames, exportedResource, fetchData, startEmulator, startSource } from './helpers/source-harness.js';

const EXPORT = 'toolhive.stacklok.dev/registry-export';

t.test('the first fetch lists two namespaces; other namespaces and unexported resources stay out', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'team-a', 'fetch'));
  emulator.apply(exportedResource('VirtualMCPServer', 'team-b', 'all-tools'));
  emulator.apply(exportedResource('MCPRemoteProxy', 'team-b', 'github'));
  emulator.apply(exportedResource('MCPServer', 'team-c', 'elsewhere'));
  emulator.apply(toolhiveResource('MCPServer', 'team-a', 'private', { status: { url: 'http://private:8080' } }));
  const { source } = await startSource(t, emulator, { namespaces: ['team-a', 'team-b'] });
  t.equal(source.describe(), `kubernetes ${emulator.url} (namespaces team-a, team-b)`);

  const data = await fetchData(source);
  t.equal(data.mode, 'full');
  t.match(data.fingerprint, /^sha256:[0-9a-f]{64}$/);
  t.same(data.entries?.map((entry) => entry.server.name), [
    'local.kubernetes/team-a.fetch',
    'local.kubernetes/team-b.all-tools',
    'local.kubernetes/team-b.github',
  ]);
  const lists = emulator.requests.filter((request) => !request.watch && request.path.endsWith('s') && request.path.includes('/namespaces/'));
  t.same(
    lists.map((request) => request.path).sort(),
    [
      '/apis/toolhive.stacklok.dev/v1beta1/namespaces/team-a/mcpremoteproxies',
      '/apis/toolhive.stacklok.dev/v1beta1/namespaces/team-a/mcpservers',
      '/apis/toolhive.stacklok.dev/v1beta1/namespaces/team-a/virtualmcpservers',
      '/apis/toolhive.stacklok.dev/v1beta1/namespaces/team-b/mcpremoteproxies',
      '/apis/toolhive.stacklok.dev/v1beta1/namespaces/team-b/mcpservers',
      '/apis/toolhive.stacklok.dev/v1beta1/namespaces/team-b/virtualmcpservers',
    ],
    'one list per kind and namespace, at the preferred version',
  );
  const watches = emulator.requests.filter((request) => request.watch);
  t.equal(watches.length, 6, 'and one watch each');
  for (const watch of watches) t.match(watch.query, { resourceVersion: String(emulator.resourceVersion), allowWatchBookmarks: 'true' });

  const again = await source.fetch(fetchRequest({ allowUnchanged: true, previous: { fingerprint: data.fingerprint } }));
  t.same(again, { unchanged: true }, 'the same data is unchanged');
  t.equal(emulator.requests.length, 1 + 1 + 6 + 6, 'fetches answer from the cache: discovery (2 requests), lists and watches only');
});

t.test('add, modify and delete reach onChange and the next fetch at once', async (t) => {
  const emulator = await startEmulator(t);
  const { source, changes } = await startSource(t, emulator, { namespaces: ['default'] });
  t.same(await entryNames(source), [], 'an empty namespace');

  let changed = changes.next();
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch', { 'toolhive.stacklok.dev/registry-description': 'Fetches web pages' }));
  await changed;
  const added = await fetchData(source);
  t.match(added.entries, [{ server: { name: 'local.kubernetes/default.fetch', description: 'Fetches web pages' } }]);

  changed = changes.next();
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch', { 'toolhive.stacklok.dev/registry-description': 'Fetches pages, faster' }));
  await changed;
  const modified = await fetchData(source);
  t.equal(modified.entries?.[0]?.server.description, 'Fetches pages, faster');
  t.not(modified.fingerprint, added.fingerprint);

  changed = changes.next();
  emulator.delete('MCPServer', 'default', 'fetch');
  await changed;
  t.same(await entryNames(source), []);
  t.equal(changes.count, 3, 'one notice per change');
});

t.test('removing the annotation removes the entry; a status change alone notifies nothing', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch'));
  emulator.apply(exportedResource('MCPServer', 'default', 'time'));
  const { source, changes, logs } = await startSource(t, emulator);
  t.same(await entryNames(source), ['local.kubernetes/default.fetch', 'local.kubernetes/default.time']);

  const statusOnly = exportedResource('MCPServer', 'default', 'time', {}, { status: { phase: 'Failed', url: 'http://time.default.svc:8080/mcp' } });
  emulator.apply(statusOnly);
  await logs.waitFor((line) => line.msg === 'watch event' && line['name'] === 'default/time');
  t.equal(changes.count, 0, 'the entry did not change');
  t.equal(source.deployed().find((server) => server.name === 'time')?.phase, 'Failed', 'but the instance did');

  const changed = changes.next();
  emulator.apply(toolhiveResource('MCPServer', 'default', 'fetch', { annotations: { [EXPORT]: 'false' }, status: { url: 'http://fetch:8080' } }));
  await changed;
  t.same(await entryNames(source), ['local.kubernetes/default.time']);
  t.match(source.deployed().find((server) => server.name === 'fetch'), { exported: false });
});

t.test('cluster-wide without namespaces; THV_REGISTRY_WATCH_NAMESPACE when the block has none', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'a', 'one'));
  emulator.apply(exportedResource('MCPServer', 'b', 'two'));
  emulator.apply(exportedResource('MCPServer', 'c', 'three'));

  t.test('cluster-wide', async (t) => {
    const { source } = await startSource(t, emulator);
    t.equal(source.describe(), `kubernetes ${emulator.url} (all namespaces)`);
    t.same(await entryNames(source), ['local.kubernetes/a.one', 'local.kubernetes/b.two', 'local.kubernetes/c.three']);
    t.ok(emulator.requests.some((request) => request.path === '/apis/toolhive.stacklok.dev/v1beta1/mcpservers' && request.watch));
  });

  t.test('from the environment', async (t) => {
    const { source } = await startSource(t, emulator, {}, { env: { THV_REGISTRY_WATCH_NAMESPACE: ' c , a,,a ' } });
    t.equal(source.describe(), `kubernetes ${emulator.url} (namespaces c, a)`);
    t.same(await entryNames(source), ['local.kubernetes/a.one', 'local.kubernetes/c.three']);
  });

  t.test('the block wins over the environment', async (t) => {
    const { source } = await startSource(t, emulator, { namespaces: ['b'] }, { env: { THV_REGISTRY_WATCH_NAMESPACE: 'a' } });
    t.equal(source.describe(), `kubernetes ${emulator.url} (namespace b)`);
    t.same(await entryNames(source), ['local.kubernetes/b.two']);
  });
});

t.test('a v1alpha1-only cluster is read at v1alpha1; a kind it does not serve is skipped with one info log', async (t) => {
  const emulator = await startEmulator(t, { served: { v1alpha1: ['MCPServer', 'VirtualMCPServer'] } });
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch'));
  emulator.apply(exportedResource('VirtualMCPServer', 'default', 'all'));
  const { source, logs } = await startSource(t, emulator, { namePrefix: 'com.example.cluster' });
  t.same(await entryNames(source), ['com.example.cluster/default.all', 'com.example.cluster/default.fetch']);
  t.ok(emulator.requests.filter((request) => request.path.includes('/mcpservers')).every((request) => request.path.includes('/v1alpha1/')));
  const skipped = logs.lines.filter((line) => /not served/.test(line.msg));
  t.same(skipped.map((line) => [line.level, line.msg]), [[30, 'MCPRemoteProxy is not served by the cluster; not watched']]);

  const mixed = await startEmulator(t, { served: { v1beta1: ['MCPServer'], v1alpha1: ['MCPServer', 'MCPRemoteProxy'] } });
  const { source: mixedSource } = await startSource(t, mixed);
  await fetchData(mixedSource);
  const paths = mixed.requests.filter((request) => request.watch).map((request) => request.path).sort();
  t.same(paths, ['/apis/toolhive.stacklok.dev/v1alpha1/mcpremoteproxies', '/apis/toolhive.stacklok.dev/v1beta1/mcpservers'], 'each kind at its best version');
});

t.test('a cluster without the ToolHive group gives no entries', async (t) => {
  const emulator = await startEmulator(t, { served: {} });
  const { source, logs } = await startSource(t, emulator);
  t.same(await entryNames(source), []);
  t.equal(logs.lines.filter((line) => /not served/.test(line.msg)).length, 3);
});
