import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRuntime, parseConfig, type RegistryRuntime } from '@thv/registry-core/host';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { EXAMPLES_DIR } from './helpers/cli.js';
import { pollUntil } from './helpers/poll.js';

const logger = pino({ level: 'silent' });

/** A registry file served over HTTP on 127.0.0.1 that counts fetches and can be held or broken. */
interface RegistryServer {
  url: string;
  fetches: number;
  body: string;
  /** While set, responses wait until it resolves. */
  hold?: Promise<void>;
  status: number;
}

async function registryServer(t: Test): Promise<RegistryServer> {
  const state: RegistryServer = {
    url: '',
    fetches: 0,
    body: await readFile(join(EXAMPLES_DIR, 'registry.json'), 'utf8'),
    status: 200,
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    state.fetches += 1;
    void (async () => {
      await state.hold;
      response.writeHead(state.status, { 'content-type': 'application/json' });
      response.end(state.body);
    })();
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  t.teardown(() => server.closeAllConnections());
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/registry.json`;
  return state;
}

async function runtimeFor(t: Test, dir: string, url: string, filter = ''): Promise<RegistryRuntime> {
  const text = [
    'registryName: example',
    'source: { type: file, format: toolhive, file: { url: "' + url + '" } }',
    'syncPolicy: { interval: 1h }',
    filter,
    '',
  ].join('\n');
  const runtime = await createRuntime(parseConfig(text, join(dir, 'config.yaml')), { logger });
  t.teardown(() => runtime.close());
  await runtime.open();
  return runtime;
}

t.test('two sync requests for one registry run one sync', async (t) => {
  const dir = t.testdir();
  const upstream = await registryServer(t);
  const runtime = await runtimeFor(t, dir, upstream.url);
  const [a, b] = await Promise.all([runtime.coordinator.syncNow('example'), runtime.coordinator.syncNow('example')]);
  t.equal(a, b, 'the second caller joins the running sync');
  t.equal(a.result, 'committed');
  t.equal(upstream.fetches, 1);
});

t.test('a changed filter is applied although the source did not change', async (t) => {
  const dir = t.testdir();
  const upstream = await registryServer(t);
  const first = await runtimeFor(t, dir, upstream.url);
  t.equal((await first.coordinator.syncNow('example')).result, 'committed');
  t.equal(first.catalog.registry('example')?.versionCount, 12);
  await first.close();

  const filtered = await runtimeFor(t, dir, upstream.url, 'filter: { tags: { include: [database] } }');
  t.equal(filtered.catalog.registry('example')?.versionCount, 12, 'the stored snapshot is served first');
  const outcome = await filtered.coordinator.syncNow('example');
  t.equal(outcome.result, 'committed', 'not skipped as unchanged');
  t.ok((filtered.catalog.registry('example')?.versionCount ?? 0) < 12);
  t.equal((await filtered.coordinator.syncNow('example')).result, 'unchanged', 'then unchanged again');
});

t.test('stopping aborts a sync in flight without touching the stored snapshot', async (t) => {
  const dir = t.testdir();
  const upstream = await registryServer(t);
  const runtime = await runtimeFor(t, dir, upstream.url);
  const committed = await runtime.coordinator.syncNow('example');
  t.equal(committed.result, 'committed');

  upstream.body = JSON.stringify({ version: '1.0.0', last_updated: '2026-01-01T00:00:00Z', servers: {} });
  let release!: () => void;
  upstream.hold = new Promise((resolve) => (release = resolve));
  const inFlight = runtime.coordinator.syncNow('example');
  await pollUntil('the fetch to start', () => (upstream.fetches === 2 ? true : undefined));
  await runtime.coordinator.stop();
  const outcome = await inFlight;
  release();
  t.equal(outcome.result, 'failed');
  t.equal(runtime.coordinator.status('example')?.phase, 'Complete', 'the status is put back as it was');

  const reopened = await runtimeFor(t, dir, upstream.url);
  t.equal(reopened.catalog.registry('example')?.versionCount, 12, 'the snapshot is the last committed one');
  t.equal(reopened.coordinator.status('example')?.phase, 'Complete');
});

t.test('a failing source keeps the data, counts failures and retries with backoff', async (t) => {
  const dir = t.testdir();
  const upstream = await registryServer(t);
  const runtime = await runtimeFor(t, dir, upstream.url);
  t.equal((await runtime.coordinator.syncNow('example')).result, 'committed');
  upstream.status = 500;
  const failed = await runtime.coordinator.syncNow('example');
  t.match(failed, { result: 'failed', status: { phase: 'Failed', consecutiveFailures: 1, versionCount: 12 } });
  t.match(failed.status?.message, /500/);
  t.equal((await runtime.coordinator.syncNow('example')).status?.consecutiveFailures, 2);
  t.equal(runtime.catalog.registry('example')?.versionCount, 12, 'still served');
  upstream.status = 200;
  upstream.body = upstream.body.replace('"weatherwise"', '"weatherwise-two"');
  t.match(await runtime.coordinator.syncNow('example'), { result: 'committed', status: { phase: 'Complete', consecutiveFailures: 0 } });
});
