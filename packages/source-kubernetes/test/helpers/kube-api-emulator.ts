/**
 * A Kubernetes API server for tests: a real HTTP (or HTTPS) server on 127.0.0.1 that speaks the
 * wire protocol `@kubernetes/client-node` uses for custom resources, over an in-memory store with
 * one resource version counter, as etcd has:
 *
 * - API discovery: `/api`, `/apis`, `/apis/<group>`, `/apis/<group>/<version>`;
 * - list, namespaced and cluster-wide: `{ apiVersion, kind: <Kind>List, metadata: { resourceVersion }, items }`;
 * - get of one object;
 * - watch (`?watch=true&resourceVersion=N[&allowWatchBookmarks=true][&timeoutSeconds=S]`): a
 *   chunked stream of newline-delimited `{ type, object }` events, replaying the changes after N,
 *   then live ones, ended cleanly after S seconds;
 * - 410 Gone for a version older than the last {@link KubeApiEmulator.compact}: an `ERROR` event
 *   holding a `Status` (code 410) on a watch, as the API server's watch cache answers, or HTTP 410
 *   (`goneAs: 'status'`); HTTP 410 also for a list at such a version;
 * - bearer-token checking (a 401 `Status` otherwise), every error as a `Status`.
 *
 * Tests change the data ({@link KubeApiEmulator.apply}, {@link KubeApiEmulator.delete}), the API
 * surface ({@link KubeApiEmulator.serve}) and the network ({@link KubeApiEmulator.dropWatches},
 * {@link KubeApiEmulator.stop} / {@link KubeApiEmulator.restart} on the same port), and read the
 * request log. It uses Node built-ins and `selfsigned` only, so other packages' tests import it by
 * relative path (`../../source-kubernetes/test/helpers/kube-api-emulator.js`).
 *
 * @example
 * const api = await KubeApiEmulator.start({ token: 'secret' });
 * t.teardown(() => api.close());
 * api.apply(toolhiveResource('MCPServer', 'default', 'fetch', { annotations: { … } }));
 * const kubeconfig = await writeKubeconfig(t.testdir(), api, { token: 'secret' });
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import {
  ALL_TOOLHIVE_VERSIONS,
  apiGroupDocument,
  apiGroupListDocument,
  apiResourceListDocument,
  apiVersionsDocument,
  listDocument,
  statusBody,
  TOOLHIVE_GROUP,
  TOOLHIVE_RESOURCE_TYPES,
  type EmulatedResourceType,
  type ServedVersions,
} from './kube-api-documents.js';
import { KubeObjectStore, inScope, type KubeObject, type StoredEvent } from './kube-object-store.js';
import { selfSignedCertificate } from './self-signed.js';

export { ALL_TOOLHIVE_VERSIONS, TOOLHIVE_GROUP, TOOLHIVE_RESOURCE_TYPES, type EmulatedResourceType, type ServedVersions };
export type { KubeMetadata, KubeObject } from './kube-object-store.js';

/** How an emulator starts. */
export interface KubeApiEmulatorOptions {
  /** Serve HTTPS with a fresh self-signed certificate for 127.0.0.1 and localhost ({@link KubeApiEmulator.ca}). Default: HTTP. */
  tls?: boolean;
  /** The bearer token every request must carry; default: none is checked. */
  token?: string;
  /** Which kinds each version serves; default {@link ALL_TOOLHIVE_VERSIONS}. */
  served?: ServedVersions;
  /** How a watch from a compacted version is refused: `event` (default; 200, then an ERROR event) or `status` (HTTP 410). */
  goneAs?: 'event' | 'status';
}

/** One request as the emulator received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  /** Query parameters (the last value of a repeated one). */
  readonly query: Readonly<Record<string, string>>;
  /** True for a watch (`watch=true`). */
  readonly watch: boolean;
  /** Whether it carried the expected bearer token (always true when none is expected). The token itself is not kept. */
  readonly authorized: boolean;
  /** The HTTP status answered (200 for a watch that started). */
  status?: number;
}

/** An open watch stream. */
interface OpenWatch {
  readonly response: ServerResponse;
  readonly type: EmulatedResourceType;
  readonly version: string;
  readonly namespace: string | undefined;
  readonly bookmarks: boolean;
}

/** The collection or object a request path names. */
interface ResourcePath {
  readonly type: EmulatedResourceType;
  readonly version: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** A running emulator. Start it with {@link KubeApiEmulator.start}; close it in `t.teardown`. */
export class KubeApiEmulator {
  /** The server URL (`http://127.0.0.1:<port>` or `https://…`), the `server` of a kubeconfig cluster. */
  readonly url: string;
  /** The port, kept across {@link stop} and {@link restart}. */
  readonly port: number;
  /** The PEM certificate of an HTTPS emulator: the CA a client must trust. */
  readonly ca: string | undefined;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];

  readonly #server: Server;
  readonly #options: KubeApiEmulatorOptions;
  readonly #store = new KubeObjectStore();
  readonly #watches = new Set<OpenWatch>();
  readonly #sockets = new Set<Socket>();
  readonly #waiters = new Set<() => void>();
  #served: ServedVersions;
  #listening = true;

  private constructor(server: Server, port: number, ca: string | undefined, options: KubeApiEmulatorOptions) {
    this.#server = server;
    this.port = port;
    this.url = `${ca === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
    this.ca = ca;
    this.#options = options;
    this.#served = options.served ?? ALL_TOOLHIVE_VERSIONS;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.#handle(request, response));
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  /** Starts an emulator on 127.0.0.1, on a free port. */
  static async start(options: KubeApiEmulatorOptions = {}): Promise<KubeApiEmulator> {
    const credentials = options.tls === true ? await selfSignedCertificate() : undefined;
    const server = credentials === undefined ? createHttpServer() : createHttpsServer(credentials);
    await listen(server, 0);
    const { port } = server.address() as AddressInfo;
    return new KubeApiEmulator(server, port, credentials?.cert, options);
  }

  /** The newest resource version. */
  get resourceVersion(): number {
    return this.#store.resourceVersion;
  }

  /** How many watch streams are open. */
  get openWatches(): number {
    return this.#watches.size;
  }

  /**
   * Creates or replaces an object (its `kind` must be a served type; namespace default `default`),
   * giving it the next resource version, and sends the event to the open watches. Returns the
   * stored object (with uid, resourceVersion and creationTimestamp).
   */
  apply(object: KubeObject): KubeObject {
    this.#typeOf(object.kind);
    const event = this.#store.apply(object);
    this.#broadcast(event);
    return structuredClone(event.object);
  }

  /** Deletes an object and sends the event; returns false when there was none. */
  delete(kind: string, namespace: string, name: string): boolean {
    const event = this.#store.delete(kind, namespace, name);
    if (event === undefined) return false;
    this.#broadcast(event);
    return true;
  }

  /** One stored object, or undefined. */
  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    const object = this.#store.get(kind, namespace, name);
    return object === undefined ? undefined : structuredClone(object);
  }

  /** Forgets the change history: watches and lists from an older resource version get 410 Gone. */
  compact(): void {
    this.#store.compact();
  }

  /** Changes which kinds each version serves (discovery, list and watch follow at once; open watches stay). */
  serve(served: ServedVersions): void {
    this.#served = served;
  }

  /**
   * Drops every open watch: abruptly (the connection is destroyed mid-stream, the default) or,
   * with `graceful`, by ending the stream as the API server does when a watch times out.
   */
  dropWatches(options: { graceful?: boolean } = {}): void {
    for (const watch of this.#watches) {
      if (options.graceful === true) watch.response.end();
      else watch.response.destroy();
    }
    this.#watches.clear();
    this.#wake();
  }

  /** Sends a `BOOKMARK` event with the current resource version to every watch that allowed bookmarks. */
  sendBookmarks(): void {
    for (const watch of this.#watches) {
      if (!watch.bookmarks) continue;
      const object = { apiVersion: `${watch.type.group}/${watch.version}`, kind: watch.type.kind, metadata: { resourceVersion: String(this.resourceVersion) } };
      writeEvent(watch.response, 'BOOKMARK', object);
    }
  }

  /** Resolves once `condition` holds, checked now and after each request and watch change. */
  async waitFor(condition: (emulator: KubeApiEmulator) => boolean): Promise<void> {
    while (!condition(this)) await new Promise<void>((resolve) => this.#waiters.add(resolve));
  }

  /** Stops listening and drops every connection: clients get "connection refused" until {@link restart}. */
  async stop(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#watches.clear();
    await closed;
    this.#wake();
  }

  /** Listens again on the same port after {@link stop}. */
  async restart(): Promise<void> {
    if (this.#listening) return;
    await listen(this.#server, this.port);
    this.#listening = true;
  }

  /** Stops for good. */
  async close(): Promise<void> {
    await this.stop();
    this.#waiters.clear();
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const query = Object.fromEntries(url.searchParams);
    const authorized = this.#options.token === undefined || request.headers.authorization === `Bearer ${this.#options.token}`;
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query,
      watch: query['watch'] === 'true' || query['watch'] === '1',
      authorized,
    };
    this.requests.push(record);
    try {
      this.#route(record, response);
    } finally {
      this.#wake();
    }
  }

  #route(request: RecordedRequest, response: ServerResponse): void {
    if (!request.authorized) return this.#answer(request, response, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    if (request.method !== 'GET') return this.#answer(request, response, 405, statusBody(405, 'MethodNotAllowed', `${request.method} is not supported`));
    const segments = request.path.split('/').filter((segment) => segment !== '');
    const [root, group, version] = segments;
    if (segments.length === 1 && root === 'api') return this.#answer(request, response, 200, apiVersionsDocument(`127.0.0.1:${this.port}`));
    if (root !== 'apis') return this.#notFound(request, response);
    if (segments.length === 1) return this.#answer(request, response, 200, apiGroupListDocument(TOOLHIVE_GROUP, this.#served));
    if (group !== TOOLHIVE_GROUP) return this.#notFound(request, response);
    if (segments.length === 2) {
      const document = apiGroupDocument(TOOLHIVE_GROUP, this.#served);
      return document === undefined ? this.#notFound(request, response) : this.#answer(request, response, 200, document);
    }
    const kinds = this.#served[version as string] ?? [];
    if (kinds.length === 0) return this.#notFound(request, response);
    if (segments.length === 3) {
      const types = TOOLHIVE_RESOURCE_TYPES.filter((type) => kinds.includes(type.kind));
      return this.#answer(request, response, 200, apiResourceListDocument(TOOLHIVE_GROUP, version as string, types));
    }
    const target = resourcePath(segments.slice(3), version as string);
    if (target === undefined || !kinds.includes(target.type.kind)) return this.#notFound(request, response);
    if (target.name !== undefined) return this.#getObject(request, response, target);
    if (request.watch) return this.#watch(request, response, target);
    return this.#list(request, response, target);
  }

  #getObject(request: RecordedRequest, response: ServerResponse, target: ResourcePath): void {
    const object = this.#store.get(target.type.kind, target.namespace ?? '', target.name as string);
    if (object === undefined) {
      return this.#answer(request, response, 404, statusBody(404, 'NotFound', `${target.type.plural}.${TOOLHIVE_GROUP} "${target.name}" not found`));
    }
    this.#answer(request, response, 200, withApiVersion(object, target));
  }

  #list(request: RecordedRequest, response: ServerResponse, target: ResourcePath): void {
    const asked = Number(request.query['resourceVersion'] ?? '0');
    if (asked > 0 && asked < this.#store.compactedAt) return this.#gone(request, response, asked);
    const items = this.#store.list(target.type.kind, target.namespace).map((object) => withApiVersion(object, target));
    this.#answer(request, response, 200, listDocument(`${TOOLHIVE_GROUP}/${target.version}`, target.type.kind, this.resourceVersion, items));
  }

  #watch(request: RecordedRequest, response: ServerResponse, target: ResourcePath): void {
    const from = request.query['resourceVersion'] ?? '';
    const since = from === '' || from === '0' ? undefined : Number(from);
    if (since !== undefined && !Number.isSafeInteger(since)) {
      return this.#answer(request, response, 400, statusBody(400, 'BadRequest', `invalid resourceVersion "${from}"`));
    }
    const replay = since === undefined ? 'current' : this.#store.eventsSince(target.type.kind, target.namespace, since);
    if (replay === 'gone' && this.#options.goneAs === 'status') return this.#gone(request, response, since as number);
    request.status = 200;
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    response.flushHeaders();
    if (replay === 'gone') {
      writeEvent(response, 'ERROR', statusBody(410, 'Expired', `too old resource version: ${since} (${this.#store.compactedAt})`));
      response.end();
      return;
    }
    const events =
      replay === 'current'
        ? this.#store.list(target.type.kind, target.namespace).map((object) => ({ type: 'ADDED' as const, object }))
        : replay;
    for (const event of events) writeEvent(response, event.type, withApiVersion(event.object, target));
    const watch: OpenWatch = {
      response,
      type: target.type,
      version: target.version,
      namespace: target.namespace,
      bookmarks: request.query['allowWatchBookmarks'] === 'true',
    };
    this.#watches.add(watch);
    const seconds = Number(request.query['timeoutSeconds'] ?? '0');
    const timeout = seconds > 0 ? setTimeout(() => response.end(), seconds * 1000) : undefined;
    response.once('close', () => {
      clearTimeout(timeout);
      this.#watches.delete(watch);
      this.#wake();
    });
  }

  #broadcast(event: StoredEvent): void {
    for (const watch of this.#watches) {
      if (inScope(event.object, watch.type.kind, watch.namespace)) writeEvent(watch.response, event.type, withApiVersion(event.object, watch));
    }
  }

  #gone(request: RecordedRequest, response: ServerResponse, asked: number): void {
    this.#answer(request, response, 410, statusBody(410, 'Expired', `too old resource version: ${asked} (${this.#store.compactedAt})`));
  }

  #notFound(request: RecordedRequest, response: ServerResponse): void {
    this.#answer(request, response, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
  }

  #answer(request: RecordedRequest, response: ServerResponse, status: number, body: unknown): void {
    request.status = status;
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
  }

  #typeOf(kind: string): EmulatedResourceType {
    const type = TOOLHIVE_RESOURCE_TYPES.find((candidate) => candidate.kind === kind);
    if (type === undefined) throw new Error(`the emulator serves no kind ${kind}`);
    return type;
  }

  #wake(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}

/**
 * A ToolHive resource for {@link KubeApiEmulator.apply}: `kind` in `namespace`, with annotations,
 * spec and status as given (apiVersion `toolhive.stacklok.dev/v1beta1`).
 */
export function toolhiveResource(
  kind: string,
  namespace: string,
  name: string,
  fields: { annotations?: Record<string, string>; spec?: Record<string, unknown>; status?: Record<string, unknown> } = {},
): KubeObject {
  return {
    apiVersion: `${TOOLHIVE_GROUP}/v1beta1`,
    kind,
    metadata: { name, namespace, ...(fields.annotations !== undefined && { annotations: fields.annotations }) },
    spec: fields.spec ?? {},
    ...(fields.status !== undefined && { status: fields.status }),
  };
}

function resourcePath(segments: string[], version: string): ResourcePath | undefined {
  const [first, second, third, fourth] = segments;
  const typeOf = (plural: string | undefined) => TOOLHIVE_RESOURCE_TYPES.find((type) => type.plural === plural);
  if (segments.length === 1) {
    const type = typeOf(first);
    return type === undefined ? undefined : { type, version };
  }
  if (first !== 'namespaces' || second === undefined || (segments.length !== 3 && segments.length !== 4)) return undefined;
  const type = typeOf(third);
  if (type === undefined) return undefined;
  return { type, version, namespace: second, ...(fourth !== undefined && { name: fourth }) };
}

function withApiVersion(object: KubeObject, target: { readonly type: EmulatedResourceType; readonly version: string }): KubeObject {
  return { apiVersion: `${target.type.group}/${target.version}`, ...object };
}

function writeEvent(response: ServerResponse, type: string, object: unknown): void {
  if (!response.destroyed && !response.writableEnded) response.write(`${JSON.stringify({ type, object })}\n`);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
