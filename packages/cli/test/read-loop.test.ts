import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import t, { type Test } from 'tap';
import { startReadLoop } from './helpers/read-loop.js';

/** A server on 127.0.0.1: `/ok` answers 200, `/fail` 500, `/cut` a body cut short. Closed at teardown. */
async function startServer(t: Test): Promise<{ url: string; server: Server; connections: () => number; open: Set<Socket> }> {
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer((req, res) => {
    if (req.url === '/ok') res.end('fine');
    else if (req.url === '/cut') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part', () => res.socket?.destroy());
    } else res.writeHead(500).end('broken');
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => connections, open };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

t.test('reads round-robin at about the rate, over few connections; non-2xx answers are failures', async (t) => {
  const { url, connections, open } = await startServer(t);
  const started = Date.now();
  const reads = startReadLoop([`${url}/ok`, `${url}/fail`], { ratePerSecond: 200 });
  await sleep(500);
  const result = await reads.stop();

  t.ok(result.total >= 70 && result.total <= 130, `about 100 requests in half a second (${result.total})`);
  t.equal(result.ok + result.failures.length, result.total);
  t.ok(Math.abs(result.ok - result.failures.length) <= 1, 'every other request fails');
  t.ok(
    result.failures.every((f) => f.url === `${url}/fail` && f.status === 500 && f.error === undefined && f.at >= started && f.at <= Date.now()),
    'each failure names the URL, the status and when it was sent',
  );
  t.ok(connections() < result.total / 4, `keep-alive connections are reused (${connections()} for ${result.total} requests)`);
  await sleep(50);
  t.equal(open.size, 0, 'stop closed every connection');

  t.equal(await reads.stop(), result, 'stop is idempotent');
  const after = result.total;
  await sleep(50);
  t.equal(result.total, after, 'nothing is sent after stop');
});

t.test('a refused connection and a body cut short are failures with the error', async (t) => {
  const { url } = await startServer(t);
  const closed = await startServer(t);
  await new Promise<void>((resolve) => {
    closed.server.close(() => resolve());
  });
  const reads = startReadLoop([`${closed.url}/ok`, `${url}/cut`, 'not a url'], { ratePerSecond: 100 });
  await sleep(100);
  const { total, ok, failures } = await reads.stop();
  t.equal(ok, 0);
  t.equal(failures.length, total);
  t.match(failures.find((f) => f.url === `${closed.url}/ok`), { error: /ECONNREFUSED/, status: undefined });
  t.match(failures.find((f) => f.url === `${url}/cut`), { status: 200, error: /aborted|closed/ });
  t.match(failures.find((f) => f.url === 'not a url'), { error: /Invalid URL/ });
});

t.test('no URL: no request; an invalid rate throws at once', async (t) => {
  const reads = startReadLoop([]);
  await sleep(20);
  t.same(await reads.stop(), { total: 0, ok: 0, failures: [] });
  t.throws(() => startReadLoop(['http://127.0.0.1:1/'], { ratePerSecond: 0 }), RangeError);
});
