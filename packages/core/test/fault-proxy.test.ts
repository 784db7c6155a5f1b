import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { FaultProxy, RESET_GRACE_MS } from './helpers/fault-proxy.js';

/** A server the test started; closed at teardown. */
interface Target {
  port: number;
  /** Sockets the server accepted, in order. */
  sockets: Socket[];
  /** Bytes each accepted socket received, by index. */
  received: Buffer[];
  /** How each accepted socket ended: `'end'` (FIN), an error code, or undefined while open. */
  endings: (string | undefined)[];
}

/**
 * A TCP server on 127.0.0.1 that echoes what it receives, or, with `greeting`, sends it on
 * accept and then only records what it receives.
 */
async function tcpTarget(t: Test, greeting?: Buffer): Promise<Target> {
  const target: Omit<Target, 'port'> = { sockets: [], received: [], endings: [] };
  const server = createServer((socket) => {
    const index = target.sockets.push(socket) - 1;
    target.received[index] = Buffer.alloc(0);
    socket.on('error', (err: NodeJS.ErrnoException) => (target.endings[index] = err.code));
    socket.on('end', () => (target.endings[index] ??= 'end'));
    socket.on('data', (chunk: Buffer) => {
      target.received[index] = Buffer.concat([target.received[index] as Buffer, chunk]);
      if (greeting === undefined) socket.write(chunk);
    });
    if (greeting !== undefined) socket.write(greeting);
  });
  return { ...target, port: await listen(t, server) };
}

/** Listens on a free port of 127.0.0.1; the server and its connections are closed at teardown. */
async function listen(t: Test, server: Server): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

async function startProxy(t: Test, port: number): Promise<FaultProxy> {
  const proxy = await FaultProxy.start({ host: '127.0.0.1', port });
  t.teardown(() => proxy.close());
  return proxy;
}

/** A client connection that collects what it receives and how it ended. */
interface Client {
  socket: Socket;
  received(): Buffer;
  /** Resolves once the client holds at least `bytes` bytes. */
  waitFor(bytes: number): Promise<Buffer>;
  /** Resolves with `'close'` or the error code the connection ended with. */
  ended: Promise<string>;
}

function client(t: Test, port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    t.teardown(() => void socket.destroy());
    let data = Buffer.alloc(0);
    let error: string | undefined;
    const waiters: { bytes: number; resolve: (data: Buffer) => void }[] = [];
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      for (const waiter of waiters.filter((w) => data.length >= w.bytes)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(data);
      }
    });
    const ended = new Promise<string>((resolveEnded) => {
      socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code));
      socket.on('close', () => resolveEnded(error ?? 'close'));
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        socket,
        received: () => data,
        waitFor: (bytes) => (data.length >= bytes ? Promise.resolve(data) : new Promise((r) => waiters.push({ bytes, resolve: r }))),
        ended,
      });
    });
  });
}

/** What a connection attempt to `port` gives: `'connected'` or the error code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 5 ms for up to 2 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

t.test('pass: forwards both ways on a fixed port; host, url, connections', async (t) => {
  const echo = await tcpTarget(t);
  const proxy = await startProxy(t, echo.port);
  t.equal(proxy.host, '127.0.0.1');
  t.ok(proxy.port > 0 && proxy.port !== echo.port);
  t.equal(proxy.url(), `http://127.0.0.1:${proxy.port}`);
  t.equal(proxy.url('/repo.git'), `http://127.0.0.1:${proxy.port}/repo.git`);
  t.equal(proxy.connections, 0);

  const a = await client(t, proxy.port);
  const b = await client(t, proxy.port);
  a.socket.write('hello');
  b.socket.write('world');
  t.equal((await a.waitFor(5)).toString(), 'hello');
  t.equal((await b.waitFor(5)).toString(), 'world');
  t.equal(proxy.connections, 2);

  a.socket.end();
  t.equal(await a.ended, 'close', 'a FIN from the client reaches the server, and the server\'s back');
  await until(() => echo.endings[0] === 'end', 'the server to see the FIN');
  await until(() => proxy.connections === 1, 'the closed connection to be forgotten');
});

t.test('pass: an HTTP target through url()', async (t) => {
  const server = createHttpServer((req, res) => res.end(`you asked for ${req.url}`));
  const port = await listen(t, server);
  const proxy = await startProxy(t, port);
  const response = await fetch(proxy.url('/hello'));
  t.equal(response.status, 200);
  t.equal(await response.text(), 'you asked for /hello');
  const byUrl = await FaultProxy.start(`http://127.0.0.1:${port}`);
  t.teardown(() => byUrl.close());
  t.equal(await (await fetch(byUrl.url('/x'))).text(), 'you asked for /x', 'a target given as a URL');
});

t.test('refuse: new connections refused, open ones closed; pass listens again on the same port', async (t) => {
  const echo = await tcpTarget(t);
  const proxy = await startProxy(t, echo.port);
  const open = await client(t, proxy.port);
  const port = proxy.port;

  await proxy.refuse();
  t.equal(await open.ended, 'close', 'the open connection is closed');
  t.equal(await tryConnect(port), 'ECONNREFUSED');
  t.equal(proxy.connections, 0);
  await until(() => echo.endings[0] !== undefined, 'the server side to close');

  await proxy.pass();
  t.equal(proxy.port, port, 'the same port');
  const again = await client(t, proxy.port);
  again.socket.write('back');
  t.equal((await again.waitFor(4)).toString(), 'back');
});

t.test('drop: open connections reset, new ones forwarded', async (t) => {
  const echo = await tcpTarget(t);
  const proxy = await startProxy(t, echo.port);
  const open = await client(t, proxy.port);
  open.socket.write('x');
  await open.waitFor(1);

  await proxy.drop();
  t.equal(await open.ended, 'ECONNRESET', 'the client sees a reset');
  await until(() => echo.endings[0] !== undefined, 'the server side to end');
  t.equal(echo.endings[0], 'ECONNRESET', 'the server sees a reset too');
  t.equal(proxy.connections, 0);

  const next = await client(t, proxy.port);
  next.socket.write('next');
  t.equal((await next.waitFor(4)).toString(), 'next', 'the mode (pass) is unchanged');
});

t.test('blackhole: nothing forwarded, no FIN or RST; pass delivers what was held', async (t) => {
  const echo = await tcpTarget(t);
  const proxy = await startProxy(t, echo.port);
  const open = await client(t, proxy.port);
  open.socket.write('before');
  await open.waitFor(6);

  await proxy.blackhole();
  open.socket.write('during');
  const fresh = await client(t, proxy.port);
  t.pass('a new connection is accepted');
  fresh.socket.write('fresh');
  await sleep(200);
  t.equal(open.received().toString(), 'before', 'nothing came back on the open connection');
  t.equal(fresh.received().length, 0, 'nor on the new one');
  t.equal(echo.received[0]?.toString(), 'before', 'the server received nothing');
  t.ok(!open.socket.destroyed && !fresh.socket.destroyed, 'both stay open');
  t.equal(proxy.connections, 2);

  await proxy.pass();
  t.equal((await open.waitFor(12)).toString(), 'beforeduring', 'the held bytes arrive');
  t.equal((await fresh.waitFor(5)).toString(), 'fresh');
});

t.test('blackhole: a connection the client closed meanwhile is reset, not resumed', async (t) => {
  const echo = await tcpTarget(t);
  const proxy = await startProxy(t, echo.port);
  const open = await client(t, proxy.port);
  await until(() => echo.sockets.length === 1, 'the server to accept');

  await proxy.blackhole();
  await new Promise<void>((resolve) => open.socket.write('lost', () => resolve()));
  open.socket.destroy();
  await open.ended;
  await sleep(50);
  t.equal(echo.endings[0], undefined, 'the server sees neither the bytes nor the FIN');

  await proxy.pass();
  await until(() => echo.endings[0] !== undefined, 'the server side to end');
  t.equal(echo.endings[0], 'ECONNRESET', 'the server side is reset');
  t.equal(echo.received[0]?.length, 0, 'what the client sent before closing is not delivered');
});

t.test('delay: each chunk arrives late, both ways, in order', async (t) => {
  const echo = await tcpTarget(t);
  const proxy = await startProxy(t, echo.port);
  const open = await client(t, proxy.port);
  await proxy.delay(150);

  const started = performance.now();
  open.socket.write('a');
  await sleep(20);
  open.socket.write('b');
  await open.waitFor(2);
  const elapsed = performance.now() - started;
  t.equal(open.received().toString(), 'ab');
  t.ok(elapsed >= 300, `out and back, each delayed (${Math.round(elapsed)} ms)`);

  await proxy.pass();
  const quick = performance.now();
  open.socket.write('c');
  await open.waitFor(3);
  t.ok(performance.now() - quick < 100, 'no delay once back to pass');
  await t.rejects(proxy.delay(-1), RangeError);
});

t.test('stallAfter: the response stops after n bytes, the request side keeps flowing', async (t) => {
  const body = Buffer.alloc(1000, 'r');
  const server = await tcpTarget(t, body);
  const proxy = await startProxy(t, server.port);
  await proxy.stallAfter(100);

  const stalled = await client(t, proxy.port);
  await stalled.waitFor(100);
  stalled.socket.write('still flowing');
  await until(() => server.received[0]?.toString() === 'still flowing', 'the request bytes to reach the server');
  await sleep(150);
  t.equal(stalled.received().length, 100, 'exactly 100 bytes, then nothing');
  t.notOk(stalled.socket.destroyed, 'the connection stays open');

  // An open connection counts from the call.
  const other = await client(t, proxy.port);
  await other.waitFor(100);
  await proxy.stallAfter(300);
  await other.waitFor(400);
  await sleep(100);
  t.equal(other.received().length, 400, 'an open connection gets n more bytes');

  await proxy.pass();
  t.equal((await stalled.waitFor(1000)).length, 1000, 'pass delivers the rest');
  t.equal((await other.waitFor(1000)).length, 1000);
});

t.test('stallAfter: an HTTP body stalls mid-way and the client times out', async (t) => {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-length': '20000' }).end(Buffer.alloc(20000, 'x'));
  });
  const proxy = await startProxy(t, await listen(t, server));
  await proxy.stallAfter(5000);
  const response = await fetch(proxy.url('/big'), { signal: AbortSignal.timeout(300) });
  t.equal(response.status, 200, 'the headers arrive');
  await t.rejects(response.arrayBuffer(), { name: 'TimeoutError' }, 'the body never completes');
});

t.test('resetAfter: n bytes of the response, then a reset', async (t) => {
  const server = await tcpTarget(t, Buffer.alloc(1000, 'r'));
  const proxy = await startProxy(t, server.port);
  await proxy.resetAfter(100);
  const started = performance.now();
  const open = await client(t, proxy.port);
  t.equal(await open.ended, 'ECONNRESET');
  t.equal(open.received().length, 100, 'exactly n bytes before the reset');
  t.ok(performance.now() - started >= RESET_GRACE_MS - 5, 'the reset follows the grace time');
  await until(() => server.endings[0] !== undefined, 'the server side to end');
  t.equal(server.endings[0], 'ECONNRESET', 'the server side is reset too');

  await proxy.pass();
  const whole = await client(t, proxy.port);
  t.equal((await whole.waitFor(1000)).length, 1000, 'pass forwards whole responses again');
});

t.test('resetAfter: an HTTP body cut mid-way', async (t) => {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-length': '20000' }).end(Buffer.alloc(20000, 'x'));
  });
  const proxy = await startProxy(t, await listen(t, server));
  await proxy.resetAfter(5000);
  const response = await fetch(proxy.url('/big'));
  t.equal(response.status, 200, 'the headers arrive');
  const err = (await response.arrayBuffer().catch((e: unknown) => e)) as Error & { cause?: { code?: string } };
  t.type(err, TypeError);
  t.equal(err.cause?.code, 'ECONNRESET');
});

t.test('a target that is down: the client connection is reset, nothing is thrown', async (t) => {
  const closed = createServer();
  const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)));
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const proxy = await startProxy(t, port);
  const open = await client(t, proxy.port);
  t.equal(await open.ended, 'ECONNRESET');
});

t.test('mode changes run in call order', async (t) => {
  const echo = await tcpTarget(t);
  const proxy = await startProxy(t, echo.port);
  void proxy.refuse();
  void proxy.pass();
  await proxy.blackhole();
  const open = await client(t, proxy.port);
  open.socket.write('x');
  await sleep(100);
  t.equal(open.received().length, 0, 'the last call wins');
});

t.test('close: idempotent, refuses afterwards, other methods reject', async (t) => {
  const echo = await tcpTarget(t);
  const proxy = await FaultProxy.start({ host: '127.0.0.1', port: echo.port });
  const open = await client(t, proxy.port);
  const before = proxy.blackhole();
  await Promise.all([proxy.close(), proxy.close()]);
  await proxy.close();
  await t.resolves(before, 'a change asked for before close still runs');
  t.equal(await open.ended, 'close');
  t.equal(await tryConnect(proxy.port), 'ECONNREFUSED');
  await t.rejects(proxy.pass(), { message: 'the fault proxy is closed' });
  await t.rejects(proxy.drop(), { message: 'the fault proxy is closed' });
});
