/**
 * A minimal upstream MCP Registry for the api-source ingest benchmark: serves `GET /v0.1/servers`
 * (limit, cursor; other parameters are accepted and ignored, nothing is deleted) over generated
 * entries on 127.0.0.1, in (name, version) order. Each page body is built once and kept, so the
 * upstream's own cost is close to nothing and the measurement is the registry's ingest.
 */
import { createServer } from 'node:http';
import { apiItem } from './generate.mjs';

/** Starts the upstream; resolves to `{ url, requests(), close() }`. */
export async function startUpstream(entries) {
  const items = entries
    .map((entry) => ({ key: `${entry.server.name}\0${entry.server.version}`, json: JSON.stringify(apiItem(entry)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const pages = new Map();
  let requests = 0;

  const page = (offset, limit) => {
    const cacheKey = `${offset}:${limit}`;
    let body = pages.get(cacheKey);
    if (body === undefined) {
      const slice = items.slice(offset, offset + limit);
      const next = offset + limit < items.length ? `,"nextCursor":"o${offset + limit}"` : '';
      body = Buffer.from(`{"servers":[${slice.map((item) => item.json).join(',')}],"metadata":{"count":${slice.length}${next}}}`);
      pages.set(cacheKey, body);
    }
    return body;
  };

  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname !== '/v0.1/servers') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 30) || 30));
    const cursor = url.searchParams.get('cursor') ?? '';
    const offset = /^o\d+$/.test(cursor) ? Number(cursor.slice(1)) : 0;
    const body = page(offset, limit);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
