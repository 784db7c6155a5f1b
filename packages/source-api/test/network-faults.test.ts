/**
 * The api source behind a {@link FaultProxy}: faults of the network between it and the upstream
 * (refused after a sync, reset part way through a page, a page stalled part way, a blackhole),
 * which faults.test.ts (faults the upstream itself plays) does not cover.
 */
import t, { type Test } from 'tap';
import { SourceError, type SourceData, type SourceHandler } from '@thv/registry-core';
import { FaultProxy } from '../../core/test/helpers/fault-proxy.js';
import { fetchFailure } from '../../core/test/helpers/fetch-failure.js';
import plugin, { type ApiSourceConfig } from '../src/index.js';
import { entriesOf, fetchRequest, sourceContext } from './helpers/context.js';
import { UpstreamEmulator } from './helpers/upstream-emulator.js';

/** The request timeout of every source here. */
const TIMEOUT = '1s';

/** Bytes into the first page's answer where the network fails: past the headers, well before the end (page 1 is ~70 KB). */
const MID_PAGE = 2000;

/** An upstream of 250 versions (3 pages) behind a fault proxy. */
async function start(t: Test): Promise<{ upstream: UpstreamEmulator; proxy: FaultProxy; firstPage: string }> {
  const upstream = await UpstreamEmulator.start({ versions: 250 });
  t.teardown(() => upstream.close());
  const proxy = await FaultProxy.start(upstream.url);
  t.teardown(() => proxy.close());
  return { upstream, proxy, firstPage: `${proxy.url()}/v0.1/servers?limit=100&include_deleted=true` };
}

async function createSource(t: Test, config: ApiSourceConfig): Promise<SourceHandler> {
  return plugin.create({ timeout: TIMEOUT, ...config }, sourceContext(t.testdir({})));
}

/** The fetch's rejection and how long it took to come. */
function failure(source: SourceHandler): Promise<{ error: Error; ms: number }> {
  return fetchFailure(source, fetchRequest({ allowUnchanged: false }));
}

/** A full read that succeeds: the 250 versions. */
async function versions(source: SourceHandler): Promise<number> {
  return entriesOf((await source.fetch(fetchRequest({ allowUnchanged: false }))) as SourceData).entries.length;
}

t.test('the upstream goes away after a sync: connection refused, retried, then a normal read when it is back', async (t) => {
  const { proxy, firstPage } = await start(t);
  const source = await createSource(t, { endpoint: proxy.url(), retries: 1 });
  t.equal(await versions(source), 250, 'a first sync over keep-alive connections');

  await proxy.refuse();
  // The first attempt may meet a pooled connection the proxy just closed; the retry opens a new one.
  const { error, ms } = await failure(source);
  t.type(error, SourceError);
  t.equal(error.message, `connection refused fetching ${firstPage} (page 1, after 2 attempts)`);
  t.ok(ms < 1000, `not after the timeout (${Math.round(ms)} ms)`);

  await proxy.pass();
  t.equal(await versions(source), 250);
});

t.test('a reset before the answer and part way through a page', async (t) => {
  const { proxy, firstPage } = await start(t);
  const source = await createSource(t, { endpoint: proxy.url(), retries: 0 });

  await proxy.resetAfter(0);
  let { error, ms } = await failure(source);
  t.type(error, SourceError);
  t.equal(error.message, `connection reset fetching ${firstPage} (page 1)`, 'before the headers');
  t.ok(ms < 500, `at once (${Math.round(ms)} ms)`);

  await proxy.resetAfter(MID_PAGE);
  ({ error, ms } = await failure(source));
  t.type(error, SourceError);
  t.equal(error.message, `response body cut short (read ECONNRESET) fetching ${firstPage} (page 1)`, 'part way through the body');
  t.ok(ms < 500, `at once (${Math.round(ms)} ms)`);

  const retried = await createSource(t, { endpoint: proxy.url(), retries: 2 });
  ({ error } = await failure(retried));
  t.equal(error.message, `response body cut short (read ECONNRESET) fetching ${firstPage} (page 1, after 3 attempts)`, 'retried like a truncated body');

  await proxy.pass();
  t.equal(await versions(source), 250);
});

t.test('a page that stalls part way: the timeout fires', async (t) => {
  const { proxy, firstPage } = await start(t);
  const source = await createSource(t, { endpoint: proxy.url(), retries: 0 });
  await proxy.stallAfter(MID_PAGE);
  const { error, ms } = await failure(source);
  t.type(error, SourceError);
  t.equal(error.message, `timed out after ${TIMEOUT} fetching ${firstPage} (page 1)`);
  t.ok(ms >= 950 && ms < 1500, `given up at the timeout (${Math.round(ms)} ms)`);

  await proxy.pass();
  t.equal(await versions(source), 250, 'the next read is whole');
});

t.test('a blackhole: the timeout fires; the network back, the next read works', async (t) => {
  const { proxy, firstPage } = await start(t);
  const source = await createSource(t, { endpoint: proxy.url(), retries: 0 });
  t.equal(await versions(source), 250);

  await proxy.blackhole();
  const { error, ms } = await failure(source);
  t.type(error, SourceError);
  t.equal(error.message, `timed out after ${TIMEOUT} fetching ${firstPage} (page 1)`);
  t.ok(ms < 1500, `given up at the timeout (${Math.round(ms)} ms)`);

  await proxy.pass();
  t.equal(await versions(source), 250);
});
