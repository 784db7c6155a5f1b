/**
 * The source rides out what an API server and the network do: expired resource versions (410
 * Gone), dropped watch streams, an API server that refuses connections and comes back, refused
 * credentials, one that never answers. It never loses or duplicates an entry, fails a fetch with a
 * one-line `SourceError` naming the server and the cause while it cannot be current, and keeps
 * serving `deployed()` from memory meanwhile.
 */
import { getEventListeners } from 'node:events';
import { createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { AbortedError, SourceError } from '@thv/registry-core';
import { fetchRequest } from './helpers/context.js';
import type { KubeApiEmulator, KubeApiEmulatorOptions } from './helpers/kube-api-emulator.js';
import { entryNames, exportedResource, fetchData, startEmulator, startSource, type StartedSource } from './helpers/source-harness.js';

/** A bound far above a reconnect (backoff starts at 1 s). */
const RECONNECT_LIMIT_MS = 5000;

/** An emulator with fetch and time exported in `default`, and a source that has listed them. */
async function synced(t: Test, options: KubeApiEmulatorOptions = {}): Promise<StartedSource & { emulator: KubeApiEmulator }> {
  const emulator = await startEmulator(t, options);
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch'));
  emulator.apply(exportedResource('MCPServer', 'default', 'time'));
  const started = await startSource(t, emulator, { namespaces: ['default'] }, options.token === undefined ? {} : { token: options.token });
  t.same(await entryNames(started.source), ['local.kubernetes/default.fetch', 'local.kubernetes/default.time']);
  return { ...started, emulator };
}

/** Changes made while the source cannot see them: fetch modified, time deleted, weather added. */
function changeBehindItsBack(emulator: KubeApiEmulator): void {
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch', { 'toolhive.stacklok.dev/registry-title': 'Fetch' }));
  emulator.delete('MCPServer', 'default', 'time');
  emulator.apply(exportedResource('MCPServer', 'default', 'weather'));
}

for (const goneAs of ['event', 'status'] as const) {
  t.test(`410 Gone (${goneAs === 'event' ? 'an ERROR event' : 'HTTP 410'}) is recovered by listing again, nothing lost or duplicated`, async (t) => {
    const { emulator, source, changes } = await synced(t, { goneAs });
    await emulator.stop();
    const listed = String(emulator.resourceVersion);
    changeBehindItsBack(emulator);
    emulator.compact();
    const recovered = changes.next(RECONNECT_LIMIT_MS);
    const restartedAt = emulator.requests.length;
    await emulator.restart();
    await recovered;

    const data = await fetchData(source);
    t.same(data.entries?.map((entry) => `${entry.server.name} ${entry.server.title ?? ''}`), [
      'local.kubernetes/default.fetch Fetch',
      'local.kubernetes/default.weather ',
    ]);
    const mcpServers = emulator.requests.slice(restartedAt).filter((request) => request.path.endsWith('/mcpservers'));
    t.same(
      mcpServers.map((request) => [request.watch ? 'watch' : 'list', request.query['resourceVersion'] ?? '', request.status]),
      [
        ['watch', listed, goneAs === 'event' ? 200 : 410],
        ['list', '', 200],
        ['watch', String(emulator.resourceVersion), 200],
      ],
      'the watch from the compacted version is refused, then the kind is listed again once',
    );
    t.same(source.deployed().map((server) => server.name), ['fetch', 'weather']);
  });
}

t.test('a dropped watch stream is reopened from the last version; changes in between are replayed', async (t) => {
  const { emulator, source, changes, logs } = await synced(t);
  const lists = (): number => emulator.requests.filter((request) => !request.watch && request.path.includes('/namespaces/')).length;
  const listed = lists();
  for (const graceful of [false, true]) {
    const changed = changes.next(RECONNECT_LIMIT_MS);
    emulator.dropWatches({ graceful });
    emulator.apply(exportedResource('VirtualMCPServer', 'default', `vmcp-${graceful}`));
    await changed;
  }
  t.same(await entryNames(source), [
    'local.kubernetes/default.fetch',
    'local.kubernetes/default.time',
    'local.kubernetes/default.vmcp-false',
    'local.kubernetes/default.vmcp-true',
  ]);
  t.equal(lists(), listed, 'no list: the watch resumed from its resource version');
  await emulator.waitFor((e) => e.openWatches === 3);
  t.same(logs.atLeast(), [], 'nothing worth a warning');
});

t.test('bookmarks keep the resource version fresh: after a compaction the watch resumes without a list', async (t) => {
  const { emulator, source, changes } = await synced(t);
  const lists = (): number => emulator.requests.filter((request) => !request.watch && request.path.includes('/namespaces/')).length;
  const listed = lists();
  for (const name of ['a', 'b', 'c']) emulator.apply(exportedResource('MCPServer', 'elsewhere', name));
  emulator.sendBookmarks();
  emulator.compact();
  const changed = changes.next(RECONNECT_LIMIT_MS);
  emulator.dropWatches({ graceful: true });
  emulator.apply(exportedResource('MCPServer', 'default', 'weather'));
  await changed;
  t.equal(lists(), listed, 'no list: the bookmark moved the version past the compaction');
  t.same(await entryNames(source), ['local.kubernetes/default.fetch', 'local.kubernetes/default.time', 'local.kubernetes/default.weather']);
});

t.test('an API server that refuses connections, then comes back', async (t) => {
  const { emulator, source, changes, logs } = await synced(t, { token: 'tok-3f9a' });
  await emulator.stop();
  await logs.waitFor((line) => line.msg === 'watch disconnected; reconnecting');
  const error = await source.fetch(fetchRequest()).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.type(error, SourceError);
  t.match((error as Error).message, new RegExp(`^the watch of (MCPServer|VirtualMCPServer|MCPRemoteProxy) in namespace default at the Kubernetes API server ${emulator.url} is disconnected \\(reconnecting\\): connection refused$`));
  t.same(source.deployed().map((server) => server.name), ['fetch', 'time'], 'deployed() still answers from memory');
  t.match(logs.atLeast(), [{ msg: 'watch disconnected; reconnecting', cause: 'connection refused' }]);

  const recovered = changes.next(RECONNECT_LIMIT_MS);
  await emulator.restart();
  await recovered;
  emulator.apply(exportedResource('MCPServer', 'default', 'weather'));
  await logs.waitFor((line) => line.msg === 'watch event' && line['name'] === 'default/weather');
  t.same(await entryNames(source), ['local.kubernetes/default.fetch', 'local.kubernetes/default.time', 'local.kubernetes/default.weather']);
  t.ok(logs.lines.some((line) => line.msg === 'watch reconnected'));
  t.notMatch(JSON.stringify(logs.lines), /tok-3f9a/, 'the token is never logged');
});

t.test('an API server that cannot be reached at the first fetch: the URL and the cause, never the token', async (t) => {
  const emulator = await startEmulator(t, { token: 'tok-77c1' });
  const { source, changes, logs } = await startSource(t, emulator, {}, { token: 'tok-77c1' });
  await emulator.stop();
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `cannot discover the toolhive.stacklok.dev API of the Kubernetes API server ${emulator.url}: connection refused`,
  });
  const recovered = changes.next(RECONNECT_LIMIT_MS);
  await emulator.restart();
  await recovered;
  t.same(await entryNames(source), []);
  t.notMatch(JSON.stringify(logs.lines), /tok-77c1/);
});

t.test('refused credentials fail the fetch with the status, not the token', async (t) => {
  const emulator = await startEmulator(t, { token: 'right-token' });
  const { source } = await startSource(t, emulator, {}, { token: 'wrong-token' });
  const error = (await source.fetch(fetchRequest()).catch((err: unknown) => err)) as Error;
  t.equal(error.message, `cannot discover the toolhive.stacklok.dev API of the Kubernetes API server ${emulator.url}: HTTP 401 Unauthorized`);
  t.notMatch(`${error.message} ${String(error.stack)}`, /wrong-token|right-token/);
});

t.test('an API server that never answers: the fetch times out after `timeout`', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
  const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  const { source } = await startSource(t, { url, ca: undefined }, { timeout: '300ms' });
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `timed out after 300ms waiting for API discovery from the Kubernetes API server ${url}`,
  });
});

t.test('aborting a fetch: at once with an AbortedError, no listener left behind', async (t) => {
  const emulator = await startEmulator(t);
  const { source } = await startSource(t, emulator);
  const aborted = new AbortController();
  aborted.abort(new Error('shutting down'));
  await t.rejects(source.fetch(fetchRequest({ signal: aborted.signal })), AbortedError);

  await emulator.stop();
  const controller = new AbortController();
  const pending = source.fetch(fetchRequest({ signal: controller.signal }));
  controller.abort(new Error('sync timed out'));
  await t.rejects(pending, { name: 'AbortedError', message: `reading kubernetes ${emulator.url} (all namespaces) was aborted` });
  t.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

t.test('close() stops every watch, request and timer', async (t) => {
  const baseline = activeHandles();
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch'));
  const { source } = await startSource(t, emulator);
  await fetchData(source);
  t.equal(emulator.openWatches, 3);
  await source.close();
  await emulator.waitFor((e) => e.openWatches === 0);
  await t.rejects(source.fetch(fetchRequest()), { name: 'SourceError', message: `the kubernetes source for ${emulator.url} is closed` });
  await emulator.close();
  const deadline = Date.now() + 2000;
  while (activeHandles() > baseline && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(activeHandles(), baseline, 'no socket or timer left');
});

t.test('close() while the API server is away also stops the retries', async (t) => {
  const emulator = await startEmulator(t);
  const { source } = await startSource(t, emulator);
  await fetchData(source);
  await emulator.stop();
  await source.close();
  const before = emulator.requests.length;
  await emulator.restart();
  await new Promise((resolve) => setTimeout(resolve, 1500)); // longer than the first retry delay (1 s)
  t.equal(emulator.requests.length, before, 'no request after close');
});

/** Sockets, servers and timers of this process. */
function activeHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout').length;
}
