/**
 * A TCP forwarder for tests that puts network faults between a client and a real server
 * (PostgreSQL, a git HTTP server, an HTTP upstream).
 *
 * Self-contained (node built-ins only) so that every package's tests can import it by relative path.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** Where a {@link FaultProxy} forwards to. */
export interface FaultTarget {
  host: string;
  port: number;
}

/** What the proxy does with connections and the bytes they carry. */
type Mode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'blackhole' }
  | { kind: 'delay'; ms: number }
  | { kind: 'stall' | 'reset'; bytes: number };

/** A queued FIN: the sending side ended its half of the connection. */
const END = Symbol('end');
/** A queued reset: the sending side closed without a FIN (an error, a RST). */
const ABORT = Symbol('abort');

/** Something one side sent, waiting to be forwarded to the other side no earlier than `at`. */
interface Queued {
  data: Buffer | typeof END | typeof ABORT;
  /** `performance.now()` before which it is not forwarded (delay mode). */
  at: number;
}

/** One direction of a proxied connection. */
interface Direction {
  from: Socket;
  to: Socket;
  queue: Queued[];
  /** Bytes written to `to` so far. */
  forwarded: number;
  /** Set in stallAfter / resetAfter mode: `forwarded` may not pass it. */
  limit?: number;
  timer?: NodeJS.Timeout;
}

/** A client connection and its connection to the target. */
interface Link {
  client: Socket;
  upstream: Socket;
  /** client → target. */
  up: Direction;
  /** target → client. */
  down: Direction;
  /** A side ended or closed during a blackhole: the link is reset when the blackhole ends. */
  stale: boolean;
  /** resetAfter's reset is on its way: nothing more is forwarded. */
  resetting: boolean;
}

/** Address the proxy listens on. */
const HOST = '127.0.0.1';

/**
 * Time between the last byte forwarded by {@link FaultProxy.resetAfter} and the RST: a RST makes
 * the receiving kernel drop what the client has not read yet, so the client gets time to read it.
 */
export const RESET_GRACE_MS = 50;

/**
 * A TCP forwarder on 127.0.0.1, from a free port chosen at {@link FaultProxy.start} and kept for
 * its whole life, to a real server. A test points its client at the proxy and switches it between
 * modes to play network faults:
 *
 * - {@link FaultProxy.pass} (the initial mode): bytes flow both ways;
 * - {@link FaultProxy.refuse}: the server is stopped (connections refused, open ones closed);
 * - {@link FaultProxy.drop}: every open connection is reset, new ones are accepted;
 * - {@link FaultProxy.blackhole}: packets vanish, no RST or FIN, until the mode changes;
 * - {@link FaultProxy.delay}: every chunk is forwarded late;
 * - {@link FaultProxy.stallAfter} / {@link FaultProxy.resetAfter}: a response stops, or is reset, part way.
 *
 * Mode changes run one at a time, in call order; each resolves once it took effect. Socket errors
 * never escape: a side that fails is closed, and the other side learns it as the mode allows.
 *
 * @example
 * const proxy = await FaultProxy.start(upstream.url);
 * t.teardown(() => proxy.close());
 * await proxy.stallAfter(100);
 * // … a client reading proxy.url('/v0.1/servers') gets 100 bytes, then nothing …
 * await proxy.pass();
 */
export class FaultProxy {
  readonly #target: FaultTarget;
  readonly #links = new Set<Link>();
  #port = 0;
  #server: Server | undefined;
  #mode: Mode = { kind: 'pass' };
  /** Mode changes, run in call order. */
  #changes: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  private constructor(target: FaultTarget) {
    this.#target = target;
  }

  /**
   * Starts a proxy in pass mode on a free port of 127.0.0.1.
   *
   * @param target - The real server: its host and port, or a URL (`http://127.0.0.1:5432`) whose
   *   host and port are used.
   */
  static async start(target: FaultTarget | string | URL): Promise<FaultProxy> {
    const proxy = new FaultProxy(toTarget(target));
    await proxy.#listen();
    return proxy;
  }

  /** The port the proxy listens on, the same in every mode. */
  get port(): number {
    return this.#port;
  }

  /** The address the proxy listens on: `127.0.0.1`. */
  get host(): string {
    return HOST;
  }

  /** How many client connections are open (as the proxy sees them). */
  get connections(): number {
    let open = 0;
    for (const link of this.#links) if (!link.client.destroyed) open++;
    return open;
  }

  /**
   * The proxy's URL for an HTTP target.
   *
   * @param path - Appended as is (`/repo.git`); starts with `/` when given.
   * @returns `http://127.0.0.1:<port><path>`.
   */
  url(path = ''): string {
    return `http://${HOST}:${this.#port}${path}`;
  }

  /**
   * Forwards both ways (the initial mode), listening again if needed. Ends every other mode: what a
   * stall or a blackhole held is delivered now, except on connections a side closed during the
   * blackhole, which are reset.
   */
  pass(): Promise<void> {
    return this.#change(() => ({ kind: 'pass' }));
  }

  /**
   * Stops listening, so that new connections are refused (`ECONNREFUSED`), and closes the open
   * ones: the server is stopped. {@link FaultProxy.pass} (or another mode) listens again on the
   * same port.
   */
  refuse(): Promise<void> {
    return this.#change(() => ({ kind: 'refuse' }));
  }

  /**
   * Resets every open connection, both sides (TCP RST), and resolves once they are closed. The mode
   * does not change: new connections are accepted and handled as the current mode says (after
   * {@link FaultProxy.refuse}, there is no connection to reset and none is accepted).
   */
  drop(): Promise<void> {
    return this.#run(async () => {
      const links = [...this.#links];
      for (const link of links) reset(link);
      await Promise.all(links.flatMap((link) => [closed(link.client), closed(link.upstream)]));
    });
  }

  /**
   * Lets packets vanish, without RST or FIN: open connections stay open and new ones are accepted,
   * but nothing is forwarded either way. When the mode changes, held bytes are delivered (as TCP
   * retransmission would), except on connections one side ended or closed meanwhile: both sides
   * of those are reset.
   */
  blackhole(): Promise<void> {
    return this.#change(() => ({ kind: 'blackhole' }));
  }

  /**
   * Forwards every chunk, both ways, `ms` after it arrived (in order).
   *
   * @param ms - The delay of each chunk, in milliseconds.
   */
  delay(ms: number): Promise<void> {
    return this.#change(() => ({ kind: 'delay', ms: count('delay', ms) }));
  }

  /**
   * Stalls responses: each connection forwards at most `bytes` bytes from the target to the client
   * (counted from its start, or from this call for a connection already open), then holds the
   * rest; client → target keeps flowing. Another mode lifts the limit: {@link FaultProxy.pass}
   * delivers what was held.
   *
   * @param bytes - Bytes of each response let through.
   */
  stallAfter(bytes: number): Promise<void> {
    return this.#change(() => ({ kind: 'stall', bytes: count('stallAfter', bytes) }));
  }

  /**
   * Resets responses part way: like {@link FaultProxy.stallAfter}, but once a connection's target sends more
   * than `bytes` bytes, the first `bytes` are forwarded and, {@link RESET_GRACE_MS} later, both
   * sides of the connection are reset (TCP RST).
   *
   * @param bytes - Bytes of each response forwarded before the reset.
   */
  resetAfter(bytes: number): Promise<void> {
    return this.#change(() => ({ kind: 'reset', bytes: count('resetAfter', bytes) }));
  }

  /**
   * Stops listening and closes every connection, for good (for `t.teardown`). Idempotent; other
   * methods reject afterwards.
   */
  close(): Promise<void> {
    this.#closing ??= this.#run(() => this.#apply({ kind: 'refuse' }));
    return this.#closing;
  }

  /** Queues a mode change; an invalid argument rejects. */
  #change(mode: () => Mode): Promise<void> {
    return this.#run(() => this.#apply(mode()));
  }

  /** Runs `change` after the changes asked for before it; rejects when asked after close(). */
  #run(change: () => Promise<void>): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new Error('the fault proxy is closed'));
    const run = this.#changes.then(change);
    this.#changes = run.catch(() => undefined);
    return run;
  }

  async #apply(mode: Mode): Promise<void> {
    if (mode.kind === 'refuse') await this.#stopListening();
    else await this.#listen();
    const leftBlackhole = this.#mode.kind === 'blackhole' && mode.kind !== 'blackhole';
    this.#mode = mode;
    for (const link of this.#links) {
      if (leftBlackhole && link.stale) {
        reset(link);
        continue;
      }
      link.down.limit = mode.kind === 'stall' || mode.kind === 'reset' ? link.down.forwarded + mode.bytes : undefined;
      this.#pump(link, link.up);
      this.#pump(link, link.down);
    }
  }

  async #listen(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`fault proxy cannot listen on ${HOST}:${this.#port}: ${err.message}`)));
      server.listen(this.#port, HOST, resolve);
    });
    // Accept errors (too many open files …) leave the server listening; nothing to report.
    server.on('error', () => undefined);
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async #stopListening(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const link of this.#links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const upstream = connect({ host: this.#target.host, port: this.#target.port, allowHalfOpen: true });
    const link: Link = {
      client,
      upstream,
      up: direction(client, upstream),
      down: direction(upstream, client),
      stale: false,
      resetting: false,
    };
    if (this.#mode.kind === 'stall' || this.#mode.kind === 'reset') link.down.limit = this.#mode.bytes;
    this.#links.add(link);
    for (const [socket, outgoing] of [
      [client, link.up],
      [upstream, link.down],
    ] as const) {
      socket.setNoDelay(true);
      // A failure shows as 'close' with hadError; the error itself is of no use here.
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => this.#receive(link, outgoing, chunk));
      socket.on('end', () => this.#receive(link, outgoing, END));
      socket.on('close', (hadError) => {
        if (hadError || !socket.readableEnded) this.#receive(link, outgoing, ABORT);
        if (link.client.destroyed && link.upstream.destroyed) {
          clearTimeout(link.up.timer);
          clearTimeout(link.down.timer);
          this.#links.delete(link);
        }
      });
    }
  }

  /** Queues what one side sent (bytes, its FIN, its reset) and forwards it if the mode allows. */
  #receive(link: Link, direction: Direction, data: Queued['data']): void {
    if (link.resetting) return;
    if (this.#mode.kind === 'blackhole' && typeof data === 'symbol') link.stale = true;
    const delay = this.#mode.kind === 'delay' ? this.#mode.ms : 0;
    direction.queue.push({ data, at: performance.now() + delay });
    this.#pump(link, direction);
  }

  /** Forwards what a direction may forward now, scheduling itself for delayed chunks. */
  #pump(link: Link, direction: Direction): void {
    clearTimeout(direction.timer);
    direction.timer = undefined;
    const { queue, to } = direction;
    while (queue.length > 0 && this.#mode.kind !== 'blackhole') {
      if (to.destroyed) {
        queue.length = 0;
        return;
      }
      const head = queue[0] as Queued;
      const wait = head.at - performance.now();
      if (wait > 0) {
        direction.timer = setTimeout(() => this.#pump(link, direction), wait);
        return;
      }
      if (head.data === END || head.data === ABORT) {
        queue.shift();
        if (head.data === END) to.end();
        else to.resetAndDestroy();
        continue;
      }
      const room = direction.limit === undefined ? Infinity : direction.limit - direction.forwarded;
      if (head.data.length <= room) {
        queue.shift();
        forward(direction, head.data);
        continue;
      }
      // Over the limit: forward what fits, then hold the rest (stall) or reset the connection.
      if (room > 0) {
        forward(direction, head.data.subarray(0, room));
        head.data = head.data.subarray(room);
      }
      if (this.#mode.kind === 'reset') {
        link.resetting = true;
        queue.length = 0;
        // The callback runs once every forwarded byte is handed to the kernel.
        to.write(Buffer.alloc(0), () => setTimeout(() => reset(link), RESET_GRACE_MS));
      }
      return;
    }
  }
}

function direction(from: Socket, to: Socket): Direction {
  return { from, to, queue: [], forwarded: 0 };
}

/** Writes to the other side, pausing the sending side while the receiving one is full. */
function forward(direction: Direction, chunk: Buffer): void {
  const { from, to } = direction;
  direction.forwarded += chunk.length;
  if (!to.write(chunk) && !from.isPaused()) {
    from.pause();
    to.once('drain', () => from.resume());
  }
}

/** Resets both sides of a connection (TCP RST). */
function reset(link: Link): void {
  for (const socket of [link.client, link.upstream]) if (!socket.destroyed) socket.resetAndDestroy();
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
}

function count(method: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`FaultProxy.${method} takes a whole number ≥ 0, got ${value}`);
  return value;
}

function toTarget(target: FaultTarget | string | URL): FaultTarget {
  if (typeof target !== 'string' && !(target instanceof URL)) return target;
  const url = new URL(target);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}
