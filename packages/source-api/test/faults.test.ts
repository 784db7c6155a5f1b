import t, { type Test } from 'tap';
import { AbortedError, SourceError, type SourceData, type SourceHandler } from '@thv/registry-core';
import plugin, { type ApiSourceConfig } from '../src/index.js';
import { entriesOf, fetchRequest, sourceContext } from './helpers/context.js';
import { UpstreamEmulator, type RecordedRequest } from './helpers/upstream-emulator.js';

async function start(t: Test, versions = 250): Promise<UpstreamEmulator> {
  const upstream = await UpstreamEmulator.start({ versions });
  t.teardown(() => upstream.close());
  return upstream;
}

async function createSource(t: Test, config: ApiSourceConfig): Promise<SourceHandler & { logs: string[] }> {
  const ctx = sourceContext(t.testdir({}));
  return Object.assign(await plugin.create(config, ctx), { logs: ctx.logs });
}

const secondPage = (request: RecordedRequest): boolean => request.query.cursor !== undefined;
const firstPageUrl = (upstream: UpstreamEmulator): string => `${upstream.url}/v0.1/servers?limit=100&include_deleted=true`;

t.test('HTTP 500 twice, then success: retried with backoff', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'status', status: 500 }, { times: 2, match: secondPage });
  const source = await createSource(t, { endpoint: upstream.url, headers: { authorization: 'Bearer hush' } });
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.equal(entriesOf(result).entries.length, 250);
  const [, ...rest] = upstream.listRequests();
  t.same(rest.map((r) => r.status), [500, 500, 200, 200], 'page 2 twice failed, then pages 2 and 3');
  t.equal(new Set(rest.slice(0, 3).map((r) => r.url)).size, 1, 'the same page asked again');
  t.ok(rest[1]!.at - rest[0]!.at >= 100, 'the first retry waited (250 ms, jittered down to at most half)');
  t.ok(rest[2]!.at - rest[1]!.at >= 225, 'the second waited longer (500 ms, jittered)');
  const warnings = source.logs.filter((line) => line.includes('retrying'));
  t.equal(warnings.length, 2);
  t.match(warnings[0], /"reason":"HTTP 500 Internal Server Error"/);
  t.notMatch(source.logs.join('\n'), /hush/, 'no header value in the logs');
});

t.test('HTTP 500 forever: fails after the retries, naming status, URL and page', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'status', status: 500 }, { times: Infinity });
  const source = await createSource(t, { endpoint: upstream.url, retries: 2 });
  const err = await source.fetch(fetchRequest()).catch((e: unknown) => e);
  t.type(err, SourceError);
  t.equal((err as Error).message, `HTTP 500 Internal Server Error fetching ${firstPageUrl(upstream)} (page 1, after 3 attempts)`);
  t.equal(upstream.requests.length, 3, 'one try and two retries');
});

t.test('retries: 0 fails at the first error', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'status', status: 503 }, { times: Infinity });
  const source = await createSource(t, { endpoint: upstream.url, retries: 0 });
  await t.rejects(source.fetch(fetchRequest()), {
    message: `HTTP 503 Service Unavailable fetching ${firstPageUrl(upstream)} (page 1)`,
  });
  t.equal(upstream.requests.length, 1);
});

t.test('HTTP 429 with Retry-After: the retry waits as asked', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'status', status: 429, retryAfter: '1' }, { match: secondPage });
  const source = await createSource(t, { endpoint: upstream.url });
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.equal(entriesOf(result).entries.length, 250);
  const pages = upstream.listRequests();
  t.same(pages.map((r) => r.status), [200, 429, 200, 200]);
  t.equal(pages[2]!.url, pages[1]!.url, 'the rate-limited page is asked again');
  t.ok(pages[2]!.at - pages[1]!.at >= 950, 'not before the second Retry-After asked for');
});

t.test('other 4xx fail at once, with the status and the URL', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'status', status: 403 }, { match: secondPage });
  const source = await createSource(t, { endpoint: upstream.url });
  const err = (await source.fetch(fetchRequest()).catch((e: unknown) => e)) as Error;
  t.type(err, SourceError);
  t.match(err.message, new RegExp(`^HTTP 403 Forbidden fetching ${upstream.url}/v0\\.1/servers\\?limit=100&include_deleted=true&cursor=\\S+ \\(page 2\\)$`));
  t.equal(upstream.listRequests().length, 2, 'not retried; a failed page fails the whole fetch');
});

t.test('a response slower than the timeout', async (t) => {
  const upstream = await start(t);
  const source = await createSource(t, { endpoint: upstream.url, timeout: '150ms', retries: 0 });

  upstream.inject({ kind: 'delay-headers', ms: 2000 });
  let started = performance.now();
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `timed out after 150ms fetching ${firstPageUrl(upstream)} (page 1)`,
  }, 'headers late');
  t.ok(performance.now() - started < 1500, 'given up at the timeout');

  upstream.inject({ kind: 'delay-body', ms: 2000 });
  started = performance.now();
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `timed out after 150ms fetching ${firstPageUrl(upstream)} (page 1)`,
  }, 'body stalls half way');
  t.ok(performance.now() - started < 1500);
});

t.test('a slow response is retried like any transient failure', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'delay-body', ms: 1000 }, { match: secondPage });
  const source = await createSource(t, { endpoint: upstream.url, timeout: '150ms', retries: 1 });
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.equal(entriesOf(result).entries.length, 250);
  t.equal(upstream.listRequests().length, 4);
});

t.test('a truncated body (connection closed before Content-Length)', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'truncate' }, { match: secondPage });
  const source = await createSource(t, { endpoint: upstream.url, retries: 1 });
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.equal(entriesOf(result).entries.length, 250, 'retried once, then complete');

  upstream.inject({ kind: 'truncate' }, { times: Infinity, match: secondPage });
  const err = (await source.fetch(fetchRequest()).catch((e: unknown) => e)) as Error;
  t.type(err, SourceError);
  t.match(err.message, /^response body cut short \(.+\) fetching http:\S+&cursor=\S+ \(page 2, after 2 attempts\)$/);
});

t.test('invalid JSON', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'invalid-json' }, { match: secondPage });
  const source = await createSource(t, { endpoint: upstream.url, retries: 1 });
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.equal(entriesOf(result).entries.length, 250, 'retried once, then complete');

  upstream.inject({ kind: 'invalid-json' }, { times: Infinity, match: secondPage });
  const err = (await source.fetch(fetchRequest()).catch((e: unknown) => e)) as Error;
  t.type(err, SourceError);
  t.match(err.message, /^response is not valid JSON \(.+\) fetching http:\S+&cursor=\S+ \(page 2, after 2 attempts\)$/);
});

t.test('a 200 that is not a server list fails without retrying', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'status', status: 200, body: '{"hello":"world"}' });
  const source = await createSource(t, { endpoint: upstream.url });
  await t.rejects(source.fetch(fetchRequest()), {
    message: `response is not an MCP Registry server list (no "servers" array) fetching ${firstPageUrl(upstream)} (page 1)`,
  });
  t.equal(upstream.requests.length, 1);
});

t.test('a cursor that does not advance', async (t) => {
  const upstream = await start(t);
  upstream.cursorLoop = true;
  const source = await createSource(t, { endpoint: upstream.url });
  const err = (await source.fetch(fetchRequest()).catch((e: unknown) => e)) as Error;
  t.type(err, SourceError);
  const cursor = upstream.listRequests()[1]!.query.cursor!;
  t.equal(
    err.message,
    `cursor did not advance: page 2 (${upstream.url}/v0.1/servers?limit=100&include_deleted=true&cursor=${cursor}) returned nextCursor "${cursor}", which was already used`,
  );
  t.equal(upstream.listRequests().length, 2, 'stopped at once');
});

t.test('more pages than maxPages', async (t) => {
  const upstream = await start(t);
  const source = await createSource(t, { endpoint: upstream.url, maxPages: 2 });
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `more than maxPages (2) pages at ${upstream.url}/v0.1/servers; raise maxPages if the upstream really holds that many versions`,
  });
  t.equal(upstream.listRequests().length, 2, 'the third page is not asked for');

  const enough = await createSource(t, { endpoint: upstream.url, maxPages: 3 });
  t.equal(((await enough.fetch(fetchRequest())) as SourceData).mode, 'full', 'exactly maxPages is fine');
});

t.test('more bytes than maxBytes over all pages', async (t) => {
  const upstream = await start(t);
  const sizes: number[] = [];
  const measure = await createSource(t, { endpoint: upstream.url });
  await measure.fetch(fetchRequest());
  for (const line of measure.logs) {
    const log = JSON.parse(line) as { msg: string; bytes: number };
    if (log.msg === 'upstream page read') sizes.push(log.bytes);
  }
  t.equal(sizes.length, 3);
  const maxBytes = sizes[0]! + sizes[1]! - 1;
  const source = await createSource(t, { endpoint: upstream.url, maxBytes });
  const err = (await source.fetch(fetchRequest()).catch((e: unknown) => e)) as Error;
  t.type(err, SourceError);
  t.match(err.message, new RegExp(`^responses exceed maxBytes \\(${maxBytes} bytes per sync\\) fetching http:\\S+ \\(page 2\\)$`));
  t.equal(upstream.listRequests().length, 3 + 2, 'not retried');
});

t.test('connection refused is retried, then named', async (t) => {
  const upstream = await start(t, 0);
  await upstream.close();
  const source = await createSource(t, { endpoint: upstream.url, retries: 1 });
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `connection refused fetching ${firstPageUrl(upstream)} (page 1, after 2 attempts)`,
  });
});

t.test('the signal aborts a slow page at once', async (t) => {
  const upstream = await start(t);
  upstream.pageDelayMs = 10_000;
  const source = await createSource(t, { endpoint: upstream.url, timeout: '1m' });
  const controller = new AbortController();
  void upstream.waitForRequest().then(() => controller.abort());
  const started = performance.now();
  const err = await source.fetch(fetchRequest({ signal: controller.signal })).catch((e: unknown) => e);
  t.type(err, AbortedError);
  t.equal((err as Error).message, `fetching ${firstPageUrl(upstream)} (page 1) was aborted`);
  t.ok(performance.now() - started < 2000, 'promptly');
});

t.test('the signal aborts the wait before a retry', async (t) => {
  const upstream = await start(t);
  upstream.inject({ kind: 'status', status: 429, retryAfter: '30' }, { match: secondPage });
  const source = await createSource(t, { endpoint: upstream.url });
  const controller = new AbortController();
  void upstream.waitForRequest(secondPage).then(() => setTimeout(() => controller.abort(), 50));
  const started = performance.now();
  const err = await source.fetch(fetchRequest({ signal: controller.signal })).catch((e: unknown) => e);
  t.type(err, AbortedError);
  t.ok(performance.now() - started < 2000, 'not after the 30 s Retry-After');
  t.equal(upstream.listRequests().length, 2, 'no request after the abort');
});

t.test('an already aborted signal sends nothing', async (t) => {
  const upstream = await start(t);
  const source = await createSource(t, { endpoint: upstream.url });
  await t.rejects(source.fetch(fetchRequest({ signal: AbortSignal.abort() })), AbortedError);
  t.equal(upstream.requests.length, 0);
});
