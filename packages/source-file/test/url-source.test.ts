import type { IncomingHttpHeaders } from 'node:http';
import t, { type Test } from 'tap';
import { AbortedError, SourceError, type SourceData, type SourceHandler } from '@thv/registry-core';
import plugin from '../src/index.js';
import { fetchRequest, sourceContext } from './context.js';
import { startServer } from './http-server.js';

const document = { servers: [{ server: { name: 'io.github.example/one', version: '1.0.0' } }], metadata: { count: 1 } };
const body = JSON.stringify(document);

async function createSource(t: Test, config: Record<string, unknown>): Promise<SourceHandler> {
  return plugin.create(config, sourceContext(t.testdir({})));
}

t.test('fetches the document from a URL', async (t) => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  t.teardown(server.close);
  const source = await createSource(t, { url: `${server.url}/registry.json` });
  t.equal(source.describe(), `file ${server.url}/registry.json`);
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.same(result.documents, [document]);
  t.match(result.fingerprint, /^sha256:/);

  const again = await source.fetch(fetchRequest({ previous: { fingerprint: result.fingerprint } }));
  t.same(again, { unchanged: true }, 'same bytes without validators are unchanged');
});

t.test('sends URL credentials as basic auth and never shows them', async (t) => {
  let seen: IncomingHttpHeaders = {};
  const server = await startServer((req, res) => {
    seen = req.headers;
    res.end(body);
  });
  t.teardown(server.close);
  const url = server.url.replace('http://', 'http://reader:s%40cret@');
  const source = await createSource(t, { url: `${url}/registry.json` });
  t.equal(source.describe(), `file ${server.url}/registry.json`);
  await source.fetch(fetchRequest());
  t.equal(seen.authorization, `Basic ${Buffer.from('reader:s@cret').toString('base64')}`);
});

t.test('HTTP 404 names the status and the URL', async (t) => {
  const server = await startServer((_req, res) => {
    res.writeHead(404).end('no such file');
  });
  t.teardown(server.close);
  const source = await createSource(t, { url: `${server.url}/missing.json` });
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `HTTP 404 Not Found fetching ${server.url}/missing.json`,
  });
});

t.test('a response slower than the timeout', async (t) => {
  // Headers go out at once; the body never does, so the timeout must cover the body too.
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"servers":');
  });
  t.teardown(server.close);
  const source = await createSource(t, { url: `${server.url}/slow.json`, timeout: '50ms' });
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `timed out after 50ms fetching ${server.url}/slow.json`,
  });
});

t.test('a response that never starts, aborted by the caller', async (t) => {
  const server = await startServer(() => {});
  t.teardown(server.close);
  const source = await createSource(t, { url: `${server.url}/hang.json` });
  const controller = new AbortController();
  const pending = source.fetch(fetchRequest({ signal: controller.signal }));
  controller.abort();
  await t.rejects(pending, AbortedError);
});

t.test('a body over maxBytes, declared or streamed', async (t) => {
  const big = JSON.stringify({ padding: 'x'.repeat(4096) });
  const server = await startServer((req, res) => {
    if (req.url === '/declared.json') {
      res.writeHead(200, { 'content-length': Buffer.byteLength(big) }).end(big);
      return;
    }
    // Chunked, no length: only counting the stream catches it.
    res.write(big.slice(0, 2048));
    res.end(big.slice(2048));
  });
  t.teardown(server.close);
  for (const path of ['/declared.json', '/streamed.json']) {
    const source = await createSource(t, { url: `${server.url}${path}`, maxBytes: 1024 });
    await t.rejects(source.fetch(fetchRequest()), {
      name: 'SourceError',
      message: `response from ${server.url}${path} is larger than maxBytes (1024 bytes)`,
    });
  }
});

t.test('ETag and Last-Modified: 304 is unchanged', async (t) => {
  const lastModified = 'Wed, 01 Jan 2025 00:00:00 GMT';
  const requests: IncomingHttpHeaders[] = [];
  const server = await startServer((req, res) => {
    requests.push(req.headers);
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, { etag: '"v1"' }).end();
      return;
    }
    res.writeHead(200, { etag: '"v1"', 'last-modified': lastModified }).end(body);
  });
  t.teardown(server.close);
  const source = await createSource(t, { url: `${server.url}/registry.json` });

  const first = (await source.fetch(fetchRequest())) as SourceData;
  t.same(first.state, { etag: '"v1"', lastModified });
  t.equal(requests[0]?.['if-none-match'], undefined, 'no validators on the first fetch');

  const previous = { fingerprint: first.fingerprint, state: first.state! };
  const second = await source.fetch(fetchRequest({ previous }));
  t.same(second, { unchanged: true, state: { etag: '"v1"', lastModified } });
  t.equal(requests[1]?.['if-none-match'], '"v1"');
  t.equal(requests[1]?.['if-modified-since'], lastModified);

  const forced = (await source.fetch(fetchRequest({ previous, allowUnchanged: false }))) as SourceData;
  t.same(forced.documents, [document], 'allowUnchanged false sends no validators and gets the data');
  t.equal(requests[2]?.['if-none-match'], undefined);
});

t.test('bad JSON from a URL names the URL', async (t) => {
  const server = await startServer((_req, res) => {
    res.end('{"servers": [}');
  });
  t.teardown(server.close);
  const source = await createSource(t, { url: `${server.url}/bad.json` });
  await t.rejects(source.fetch(fetchRequest()), {
    message: new RegExp(`^registry document ${server.url}/bad\\.json is not valid JSON: .*\\(line 1, column 14\\)$`),
  });
});

t.test('connection refused', async (t) => {
  const server = await startServer(() => {});
  await server.close();
  const source = await createSource(t, { url: `${server.url}/registry.json` });
  const err = await source.fetch(fetchRequest()).catch((e: unknown) => e);
  t.type(err, SourceError);
  t.equal((err as Error).message, `connection refused fetching ${server.url}/registry.json`);
});
