/**
 * The baseline of the read benchmark: a minimal fastify server (no logging, no hooks, no schemas)
 * answering the same routes with the exact bodies and about the same headers the registry sent,
 * precomputed as Buffers. What the registry costs beyond it is the price of its features.
 *
 *   node bench/baseline.mjs <fixtures.json>
 *
 * fixtures.json: `[{ url, status, headers, body (base64) }]`; a fixture with an `etag` header
 * answers 304 to a matching `If-None-Match`. Prints `{"msg":"listening","port":N}` when ready.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const fixtures = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byUrl = new Map(
  fixtures.map((fixture) => [fixture.url, { ...fixture, body: Buffer.from(fixture.body, 'base64') }]),
);

const app = Fastify({ logger: false, routerOptions: { maxParamLength: 1024 } });

function answer(request, reply) {
  const fixture = byUrl.get(request.url);
  if (fixture === undefined) return reply.code(404).send();
  const { etag } = fixture.headers;
  if (etag !== undefined && request.headers['if-none-match'] === etag) {
    return reply.code(304).header('etag', etag).header('cache-control', 'no-cache').send();
  }
  return reply.code(fixture.status).headers(fixture.headers).send(fixture.body);
}

app.get('/v0.1/servers', answer);
app.get('/v0.1/servers/:serverName/versions', answer);
app.get('/v0.1/servers/:serverName/versions/:version', answer);

await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ msg: 'listening', port: app.server.address().port })}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
