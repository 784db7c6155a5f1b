/**
 * The file source at a URL behind a {@link FaultProxy}: faults of the network between it and the
 * server (refused after a fetch, reset part way, stalled part way, a blackhole), which
 * url-source.test.ts (a closed port, a server that stops sending) does not cover.
 */
import t, { type Test } from 'tap';
import { SourceError, type SourceData, type SourceHandler } from '@thv/registry-core';
import { FaultProxy } from '../../core/test/helpers/fault-proxy.js';
import { fetchFailure } from '../../core/test/helpers/fetch-failure.js';
import plugin from '../src/index.js';
import { fetchRequest, sourceContext } from './context.js';
import { startServer } from './http-server.js';

/** The fetch timeout of every source here. */
const TIMEOUT = '1s';

/** A registry document of about 50 KB. */
const document = { servers: [], metadata: { count: 0 }, padding: 'x'.repeat(50_000) };
const body = JSON.stringify(document);

/** Bytes into the answer where the network fails: past the headers, well before the end. */
const MID_BODY = 2000;

/** A server answering the document, behind a fault proxy; a source reading it through the proxy. */
async function start(t: Test): Promise<{ proxy: FaultProxy; url: string; source: SourceHandler }> {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  t.teardown(server.close);
  const proxy = await FaultProxy.start(server.url);
  t.teardown(() => proxy.close());
  const url = proxy.url('/registry.json');
  const source = await plugin.create({ url, timeout: TIMEOUT }, sourceContext(t.testdir({})));
  return { proxy, url, source };
}

/** The fetch's rejection and how long it took to come. */
function failure(source: SourceHandler): Promise<{ error: Error; ms: number }> {
  return fetchFailure(source, fetchRequest());
}

async function read(source: SourceHandler): Promise<unknown> {
  return ((await source.fetch(fetchRequest({ allowUnchanged: false }))) as SourceData).documents;
}

/** Lets the client see the connections the proxy closed, as it would between two syncs. */
const betweenSyncs = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

t.test('the server goes away after a fetch: connection refused at once, then a normal fetch when it is back', async (t) => {
  const { proxy, url, source } = await start(t);
  t.same(await read(source), [document], 'a first fetch over a keep-alive connection');

  await proxy.refuse();
  await betweenSyncs();
  const { error, ms } = await failure(source);
  t.type(error, SourceError);
  t.equal(error.message, `connection refused fetching ${url}`);
  t.ok(ms < 500, `not after the timeout (${Math.round(ms)} ms)`);

  await proxy.pass();
  t.same(await read(source), [document]);
});

t.test('a reset before the answer and part way through the body', async (t) => {
  const { proxy, url, source } = await start(t);
  for (const [offset, where] of [
    [0, 'before the headers'],
    [MID_BODY, 'part way through the body'],
  ] as const) {
    await proxy.resetAfter(offset);
    const { error, ms } = await failure(source);
    t.type(error, SourceError);
    t.equal(error.message, `connection reset fetching ${url}`, where);
    t.ok(ms < 500, `at once (${Math.round(ms)} ms)`);
  }
  await proxy.pass();
  t.same(await read(source), [document]);
});

t.test('a body that stalls part way: the timeout fires', async (t) => {
  const { proxy, url, source } = await start(t);
  await proxy.stallAfter(MID_BODY);
  const { error, ms } = await failure(source);
  t.type(error, SourceError);
  t.equal(error.message, `timed out after ${TIMEOUT} fetching ${url}`);
  t.ok(ms >= 950 && ms < 1500, `given up at the timeout (${Math.round(ms)} ms)`);

  await proxy.pass();
  t.same(await read(source), [document], 'the next fetch is whole');
});

t.test('a blackhole: the timeout fires; the network back, the next fetch works', async (t) => {
  const { proxy, url, source } = await start(t);
  t.same(await read(source), [document]);

  await proxy.blackhole();
  const { error, ms } = await failure(source);
  t.type(error, SourceError);
  t.equal(error.message, `timed out after ${TIMEOUT} fetching ${url}`);
  t.ok(ms < 1500, `given up at the timeout (${Math.round(ms)} ms)`);

  await proxy.pass();
  t.same(await read(source), [document]);
});
