import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 to a real server, which a test can take down and bring back on the
 * same port: while down, connections are refused and open ones are cut, as when a database host
 * goes away.
 */
export class TcpProxy {
  readonly port: number;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;

  private constructor(port: number, target: { host: string; port: number }) {
    this.port = port;
    this.#target = target;
  }

  /** Forwards from a free port to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const probe = await listen(0);
    const { port } = probe.address() as AddressInfo;
    await close(probe);
    const proxy = new TcpProxy(port, target);
    await proxy.up();
    return proxy;
  }

  /** Refuses new connections and cuts the open ones. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server !== undefined) await close(server);
  }

  /** Accepts connections again. */
  async up(): Promise<void> {
    this.#server ??= await listen(this.port, (client) => this.#forward(client));
  }

  #forward(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}

function listen(port: number, onConnection?: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
