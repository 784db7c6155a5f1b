/**
 * An upstream MCP Registry for tests: a real HTTP server on 127.0.0.1 (port 0) that serves the
 * official v0.1 read API over thousands of generated server versions, lets a test change the data
 * (publish, update, deprecate, delete) and inject faults (HTTP errors, 429 with Retry-After, slow
 * responses, truncated bodies, invalid JSON, a cursor that repeats, a delay per page), and records
 * every request it received.
 *
 * Self-contained (Node built-ins and the seeded generator of pure-rand) so that other packages'
 * tests can import it by relative path.
 *
 * @example
 * const upstream = await UpstreamEmulator.start({ versions: 3000 });
 * t.teardown(() => upstream.close());
 * upstream.inject({ kind: 'status', status: 503 }, { times: 2 });
 * // … point a source at upstream.url …
 * upstream.listRequests().map((r) => r.query.cursor);
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Key of the registry-managed block in a server response's `_meta`. */
export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

/** `$schema` of the generated server.json documents. */
export const SERVER_SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** Namespace of every generated server name (`io.github.gen/server-<n>`). */
export const GENERATED_NAMESPACE = 'io.github.gen';

/** Lifecycle status of a version, as in the official registry. */
export type VersionStatus = 'active' | 'deprecated' | 'deleted';

/** A server.json document (only `name` and `version` are relied on). */
export type ServerDocument = Record<string, unknown> & { name: string; version: string };

/** One server version held by the emulator. Timestamps are RFC 3339 with microseconds. */
export interface EmulatedVersion {
  server: ServerDocument;
  status: VersionStatus;
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
  statusChangedAt: string;
  isLatest: boolean;
}

/** One request as the emulator received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, as sent (still URL-encoded). */
  path: string;
  /** Path and query, as sent. */
  url: string;
  /** Query parameters (the last value of a repeated one). */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** `performance.now()` when the request arrived. */
  at: number;
  /** The HTTP status answered, once headers went out. */
  status?: number;
  /** The fault injected into the answer, if any. */
  fault?: Fault['kind'];
}

/** Something to do instead of (or to) a normal answer. */
export type Fault =
  /** Answer this status (a JSON error body unless `body` is given), with `Retry-After` if set. */
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Wait before sending the headers. */
  | { kind: 'delay-headers'; ms: number }
  /** Send the headers and half the body, wait, then the rest. */
  | { kind: 'delay-body'; ms: number }
  /** Declare the full Content-Length, send half the body, then destroy the socket. */
  | { kind: 'truncate' }
  /** Answer 200 with a body that is not valid JSON. */
  | { kind: 'invalid-json' };

/** Which requests a fault hits, and how many times. */
export interface FaultOptions {
  /** How many matching requests get the fault (default 1; `Infinity` for all). */
  times?: number;
  /** Default: every request. */
  match?: (request: RecordedRequest) => boolean;
}

/** How the data is generated. */
export interface EmulatorOptions {
  /** Number of generated versions (default 3000; 0 for an empty registry). */
  versions?: number;
  /** Seed of the generator (default 1): equal seeds give equal data. */
  seed?: number;
  /** Publish time of the first generated version (default 2025-01-01T00:00:00Z); one per hour after. */
  start?: string;
}

interface PendingFault {
  fault: Fault;
  remaining: number;
  match: (request: RecordedRequest) => boolean;
}

interface Answer {
  status: number;
  body: unknown;
  contentType?: string;
}

const TOPICS = [
  ['filesystem', 'Reads, writes and searches files in allowed directories'],
  ['weather', 'Current weather and forecasts for any city'],
  ['github', 'Issues, pull requests and code search on GitHub'],
  ['postgres', 'Read-only SQL queries against a PostgreSQL database'],
  ['search', 'Web search with summarised results'],
  ['calendar', 'Lists and creates calendar events'],
  ['slack', 'Posts messages and reads channels in Slack'],
  ['memory', 'A knowledge graph the model can remember things in'],
  ['browser', 'Drives a headless browser: navigate, click, screenshot'],
  ['kubernetes', 'Inspects pods, deployments and logs in a cluster'],
] as const;

const HOUR_US = 3_600_000_000n;

/**
 * The generated versions: servers `io.github.gen/server-<n>` (n from 1) with one to four versions
 * each (`1.<k>.0`), alternately npm / PyPI / OCI packages or a remote, published an hour apart from
 * `start`. Every 50th version is deprecated, every 97th deleted. Deterministic for a given seed.
 */
export function generateVersions(count: number, seed = 1, start = '2025-01-01T00:00:00Z'): EmulatedVersion[] {
  const generator = xoroshiro128plus(seed);
  const random = () => uniformFloat64(generator);
  const startUs = toMicros(start);
  const versions: EmulatedVersion[] = [];
  for (let n = 1; versions.length < count; n++) {
    const many = Math.min(1 + Math.floor(random() * 4), count - versions.length);
    const [topic, blurb] = TOPICS[Math.floor(random() * TOPICS.length)] as (typeof TOPICS)[number];
    for (let k = 0; k < many; k++) {
      const index = versions.length;
      const publishedUs = startUs + BigInt(index) * HOUR_US + BigInt(Math.floor(random() * 1_000_000));
      const version: EmulatedVersion = {
        server: generatedServer(n, `1.${k}.0`, topic, blurb, index),
        status: 'active',
        publishedAt: fromMicros(publishedUs),
        updatedAt: fromMicros(publishedUs),
        statusChangedAt: fromMicros(publishedUs),
        isLatest: k === many - 1,
      };
      if (index % 97 === 96 || index % 50 === 49) {
        const changedAt = fromMicros(publishedUs + 24n * HOUR_US);
        version.status = index % 97 === 96 ? 'deleted' : 'deprecated';
        version.statusMessage = version.status === 'deleted' ? 'removed by its publisher' : `use ${GENERATED_NAMESPACE}/server-${n + 1}`;
        version.statusChangedAt = changedAt;
        version.updatedAt = changedAt;
      }
      versions.push(version);
    }
  }
  return versions;
}

/** A valid server.json for generated server `n`. */
export function generatedServer(n: number, version: string, topic = 'memory', blurb = 'A generated MCP server', index = n): ServerDocument {
  const name = `${GENERATED_NAMESPACE}/server-${n}`;
  const server: ServerDocument = {
    $schema: SERVER_SCHEMA_URL,
    name,
    title: `Generated ${topic} server ${n}`,
    description: `${blurb} (generated #${n}, ${version})`.slice(0, 100),
    version,
    repository: { url: `https://github.com/gen/server-${n}`, source: 'github' },
    websiteUrl: `https://gen.example.com/server-${n}`,
  };
  switch (index % 4) {
    case 0:
      server['packages'] = [
        {
          registryType: 'npm',
          identifier: `@gen/server-${n}`,
          version,
          transport: { type: 'stdio' },
          environmentVariables: [{ name: `${topic.toUpperCase()}_TOKEN`, description: 'API token', isRequired: true, isSecret: true }],
        },
      ];
      break;
    case 1:
      server['packages'] = [{ registryType: 'pypi', identifier: `gen-server-${n}`, version, transport: { type: 'stdio' } }];
      break;
    case 2:
      server['packages'] = [
        { registryType: 'oci', identifier: `ghcr.io/gen/server-${n}:${version}`, transport: { type: 'streamable-http', url: 'http://localhost:8080/mcp' } },
      ];
      break;
    default:
      server['remotes'] = [{ type: 'streamable-http', url: `https://server-${n}.gen.example.com/mcp` }];
  }
  return server;
}

/** A running emulator. Create it with {@link UpstreamEmulator.start}; close it in `t.teardown`. */
export class UpstreamEmulator {
  /** Base URL (`http://127.0.0.1:<port>`), the `endpoint` of an api source. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** When true, a list page asked for with `cursor=C` answers `nextCursor: C` again. */
  cursorLoop = false;
  /** Delay before answering each `/v0.1/servers` page, in ms (0: none). */
  pageDelayMs = 0;

  readonly #server: Server;
  readonly #versions = new Map<string, EmulatedVersion>();
  #sorted: EmulatedVersion[] | undefined;
  #faults: PendingFault[] = [];
  #lastStampUs = 0n;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters: Array<{ predicate: (request: RecordedRequest) => boolean; resolve: (request: RecordedRequest) => void }> = [];

  private constructor(server: Server, url: string, versions: EmulatedVersion[]) {
    this.#server = server;
    this.url = url;
    for (const version of versions) this.#versions.set(key(version.server.name, version.server.version), version);
  }

  /** Starts an emulator holding `options.versions` generated versions (default 3000). */
  static async start(options: EmulatorOptions = {}): Promise<UpstreamEmulator> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const emulator = new UpstreamEmulator(
      server,
      `http://127.0.0.1:${port}`,
      generateVersions(options.versions ?? 3000, options.seed, options.start),
    );
    server.on('request', (req, res) => void emulator.#handle(req, res));
    return emulator;
  }

  /** Number of versions held, deleted ones included. */
  get size(): number {
    return this.#versions.size;
  }

  /** Every version, in (name, version) byte order. */
  all(): EmulatedVersion[] {
    return [...this.#ordered()];
  }

  /** One version, or undefined. */
  get(name: string, version: string): EmulatedVersion | undefined {
    return this.#versions.get(key(name, version));
  }

  /** The requests to the list route `/v0.1/servers`. */
  listRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.path === '/v0.1/servers');
  }

  /** Resolves with the first request (from now on) that `predicate` accepts. */
  waitForRequest(predicate: (request: RecordedRequest) => boolean = () => true): Promise<RecordedRequest> {
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }));
  }

  /**
   * Publishes a version (default: a new server `io.github.gen/server-<size + 1>` at `1.0.0`), stamped
   * now unless `updatedAt` is given. It becomes the latest of its name when its version is
   * greater; the previous latest then changes too (isLatest false, updated now).
   */
  publish(options: { name?: string; version?: string; server?: Record<string, unknown>; updatedAt?: string } = {}): EmulatedVersion {
    const n = options.name === undefined ? this.#nextServerNumber() : Number(/server-(\d+)$/.exec(options.name)?.[1] ?? 0);
    const version = options.version ?? '1.0.0';
    const base = generatedServer(n, version);
    const server = { ...base, ...options.server, name: options.name ?? base.name, version } as ServerDocument;
    const stamp = options.updatedAt ?? this.#stamp();
    const entry: EmulatedVersion = { server, status: 'active', publishedAt: stamp, updatedAt: stamp, statusChangedAt: stamp, isLatest: false };
    this.#versions.set(key(server.name, version), entry);
    this.#sorted = undefined;
    this.#relabelLatest(server.name);
    return entry;
  }

  /** Changes a version's server.json (fields merged over it; name and version kept), stamped now. */
  update(name: string, version: string, patch: Record<string, unknown>, options: { updatedAt?: string } = {}): EmulatedVersion {
    const entry = this.#require(name, version);
    entry.server = { ...entry.server, ...patch, name, version } as ServerDocument;
    entry.updatedAt = options.updatedAt ?? this.#stamp();
    return entry;
  }

  /** Sets a version's status (and message), stamped now. */
  setStatus(name: string, version: string, status: VersionStatus, message?: string): EmulatedVersion {
    const entry = this.#require(name, version);
    const stamp = this.#stamp();
    entry.status = status;
    if (message === undefined) delete entry.statusMessage;
    else entry.statusMessage = message;
    entry.statusChangedAt = stamp;
    entry.updatedAt = stamp;
    return entry;
  }

  /** Marks a version deleted (it stays, with status `deleted`, as in the official registry). */
  delete(name: string, version: string, message = 'deleted upstream'): EmulatedVersion {
    return this.setStatus(name, version, 'deleted', message);
  }

  /** Queues a fault for the next matching request(s). Faults are tried in the order injected. */
  inject(fault: Fault, options: FaultOptions = {}): void {
    this.#faults.push({ fault, remaining: options.times ?? 1, match: options.match ?? (() => true) });
  }

  /** Drops every queued fault, the cursor loop and the page delay. */
  clearFaults(): void {
    this.#faults = [];
    this.cursorLoop = false;
    this.pageDelayMs = 0;
  }

  /** Stops the server, dropping open connections and pending delays. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'http://emulator');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: parsed.pathname,
      url: req.url ?? '/',
      query: Object.fromEntries(parsed.searchParams),
      headers: req.headers,
      at: performance.now(),
    };
    this.requests.push(request);
    for (const waiter of this.#waiters.filter((w) => w.predicate(request))) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(request);
    }

    const fault = this.#takeFault(request);
    if (fault !== undefined) request.fault = fault.kind;
    if (request.path === '/v0.1/servers' && this.pageDelayMs > 0) await this.#sleep(this.pageDelayMs);
    if (fault?.kind === 'delay-headers') await this.#sleep(fault.ms);
    if (res.destroyed) return;

    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      request.status = fault.status;
      res.writeHead(fault.status, headers).end(fault.body ?? JSON.stringify({ error: `injected ${fault.status}` }));
      return;
    }

    const answer = this.#answer(request, req.method ?? 'GET');
    request.status = answer.status;
    let body = Buffer.from(JSON.stringify(answer.body));
    if (fault?.kind === 'invalid-json') body = Buffer.concat([body.subarray(0, Math.max(1, body.length - 2)), Buffer.from('}x')]);
    res.writeHead(answer.status, {
      'content-type': answer.contentType ?? 'application/json',
      'content-length': String(body.length),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const half = Math.floor(body.length / 2);
    if (fault?.kind === 'truncate') {
      res.write(body.subarray(0, half), () => res.socket?.destroy());
      return;
    }
    if (fault?.kind === 'delay-body') {
      res.write(body.subarray(0, half));
      await this.#sleep(fault.ms);
      if (!res.destroyed) res.end(body.subarray(half));
      return;
    }
    res.end(body);
  }

  #answer(request: RecordedRequest, method: string): Answer {
    if (method !== 'GET' && method !== 'HEAD') return problem(405, 'Method not allowed', `${method} is not served`);
    if (request.path === '/v0.1/servers') return this.#list(request);
    const match = /^\/v0\.1\/servers\/(.+?)\/versions(?:\/([^/]+))?$/.exec(request.path);
    if (match !== null) {
      let name: string;
      let version: string | undefined;
      try {
        name = decodeURIComponent(match[1] as string);
        version = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
      } catch {
        return problem(400, 'Bad request', 'malformed percent-encoding in the path');
      }
      return this.#versionsOf(name, version, request.query['include_deleted'] === 'true');
    }
    return { status: 404, body: { error: 'Not found' } };
  }

  #list(request: RecordedRequest): Answer {
    const { query } = request;
    const limit = query['limit'] === undefined ? 30 : Number(query['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return problem(400, 'Invalid parameter', 'limit must be an integer from 1 to 100');
    let since: string | undefined;
    if (query['updated_since'] !== undefined) {
      since = timeKey(query['updated_since']);
      if (since === undefined) return problem(400, 'Invalid parameter', 'updated_since must be an RFC 3339 date-time');
    }
    let after: [string, string] | undefined;
    if (query['cursor'] !== undefined && query['cursor'] !== '') {
      after = decodeCursor(query['cursor']);
      if (after === undefined) return problem(400, 'Invalid parameter', 'cursor is not valid');
    }
    // As in the official API: deleted versions are shown when asked for, and always with updated_since.
    const includeDeleted = query['include_deleted'] === 'true' || since !== undefined;
    const search = query['search']?.toLowerCase();
    const wanted = query['version'];

    const page: EmulatedVersion[] = [];
    let more = false;
    for (const entry of this.#ordered()) {
      if (after !== undefined && compareKeys(entry.server.name, entry.server.version, after[0], after[1]) <= 0) continue;
      if (!includeDeleted && entry.status === 'deleted') continue;
      if (since !== undefined && (timeKey(entry.updatedAt) as string) <= since) continue;
      if (search !== undefined && !entry.server.name.toLowerCase().includes(search)) continue;
      if (wanted === 'latest' ? !entry.isLatest : wanted !== undefined && entry.server.version !== wanted) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(entry);
    }
    const metadata: Record<string, unknown> = { count: page.length };
    const last = page.at(-1);
    if (this.cursorLoop && query['cursor'] !== undefined && query['cursor'] !== '') metadata['nextCursor'] = query['cursor'];
    else if (more && last !== undefined) metadata['nextCursor'] = encodeCursor(last.server.name, last.server.version);
    return { status: 200, body: { servers: page.map(toResponse), metadata } };
  }

  #versionsOf(name: string, version: string | undefined, includeDeleted: boolean): Answer {
    const all = this.#ordered().filter((entry) => entry.server.name === name && (includeDeleted || entry.status !== 'deleted'));
    if (version === undefined) {
      if (all.length === 0) return { status: 404, body: { error: 'Server not found' } };
      const newestFirst = [...all].sort((a, b) => ((timeKey(b.publishedAt) as string) < (timeKey(a.publishedAt) as string) ? -1 : 1));
      return { status: 200, body: { servers: newestFirst.map(toResponse), metadata: { count: newestFirst.length } } };
    }
    const found = version === 'latest' ? all.find((entry) => entry.isLatest) : all.find((entry) => entry.server.version === version);
    return found === undefined ? { status: 404, body: { error: 'Server not found' } } : { status: 200, body: toResponse(found) };
  }

  #takeFault(request: RecordedRequest): Fault | undefined {
    const pending = this.#faults.find((entry) => entry.remaining > 0 && entry.match(request));
    if (pending === undefined) return undefined;
    pending.remaining--;
    this.#faults = this.#faults.filter((entry) => entry.remaining > 0);
    return pending.fault;
  }

  #ordered(): EmulatedVersion[] {
    this.#sorted ??= [...this.#versions.values()].sort((a, b) =>
      compareKeys(a.server.name, a.server.version, b.server.name, b.server.version),
    );
    return this.#sorted;
  }

  #require(name: string, version: string): EmulatedVersion {
    const entry = this.get(name, version);
    if (entry === undefined) throw new Error(`emulator holds no ${name}@${version}`);
    return entry;
  }

  #nextServerNumber(): number {
    let highest = 0;
    for (const entry of this.#versions.values()) {
      const n = Number(/\/server-(\d+)$/.exec(entry.server.name)?.[1] ?? 0);
      if (n > highest) highest = n;
    }
    return highest + 1;
  }

  // The latest version of a name is its highest semver; a change of latest stamps both versions.
  #relabelLatest(name: string): void {
    const versions = [...this.#versions.values()].filter((entry) => entry.server.name === name);
    const latest = versions.reduce<EmulatedVersion | undefined>(
      (best, entry) => (best === undefined || compareSemver(entry.server.version, best.server.version) > 0 ? entry : best),
      undefined,
    );
    for (const entry of versions) {
      const isLatest = entry === latest;
      if (entry.isLatest !== isLatest) {
        entry.isLatest = isLatest;
        if (!isLatest) entry.updatedAt = this.#stamp();
      }
    }
  }

  // Strictly increasing "now" with microseconds, so two changes never share a timestamp.
  #stamp(): string {
    let us = BigInt(Date.now()) * 1000n;
    if (us <= this.#lastStampUs) us = this.#lastStampUs + 1n;
    this.#lastStampUs = us;
    return fromMicros(us);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

function toResponse(entry: EmulatedVersion): Record<string, unknown> {
  const official: Record<string, unknown> = {
    status: entry.status,
    statusChangedAt: entry.statusChangedAt,
    publishedAt: entry.publishedAt,
    updatedAt: entry.updatedAt,
    isLatest: entry.isLatest,
  };
  if (entry.statusMessage !== undefined) official['statusMessage'] = entry.statusMessage;
  return { server: entry.server, _meta: { [OFFICIAL_META_KEY]: official } };
}

function problem(status: number, title: string, detail: string): Answer {
  return { status, body: { type: 'about:blank', title, status, detail }, contentType: 'application/problem+json' };
}

function key(name: string, version: string): string {
  return `${name}\u0000${version}`;
}

function compareKeys(nameA: string, versionA: string, nameB: string, versionB: string): number {
  return Buffer.compare(Buffer.from(nameA), Buffer.from(nameB)) || Buffer.compare(Buffer.from(versionA), Buffer.from(versionB));
}

// Opaque keyset cursor: the (name, version) of the last row of the page.
function encodeCursor(name: string, version: string): string {
  return Buffer.from(JSON.stringify([name, version])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) {
      return value as [string, string];
    }
  } catch {
    // not a cursor of ours
  }
  return undefined;
}

function compareSemver(a: string, b: string): number {
  const parse = (v: string): number[] | undefined => (/^\d+\.\d+\.\d+$/.test(v) ? v.split('.').map(Number) : undefined);
  const [pa, pb] = [parse(a), parse(b)];
  if (pa === undefined || pb === undefined) return pa !== undefined ? 1 : pb !== undefined ? -1 : a < b ? -1 : a > b ? 1 : 0;
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  return 0;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

// A timestamp as a string that sorts in time order, UTC, nanoseconds.
function timeKey(text: string): string | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const seconds = Date.parse(`${match[1]}T${match[2]}${(match[4] as string).toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  return `${new Date(seconds).toISOString().slice(0, 19)}.${(match[3] ?? '').padEnd(9, '0').slice(0, 9)}Z`;
}

function toMicros(text: string): bigint {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${text}`);
  return BigInt(ms) * 1000n;
}

function fromMicros(us: bigint): string {
  const seconds = new Date(Number(us / 1_000_000n) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${String(us % 1_000_000n).padStart(6, '0')}Z`;
}
