import { getJson, ServerReadError } from './client.js';

/** The `_meta` key under which the MCP Registry API puts its own fields of an entry. */
const OFFICIAL = 'io.modelcontextprotocol.registry/official';

/** One registry as `GET /v0.1/x/dev.toolhive/registries` reports it. */
export interface RegistryRow {
  name: string;
  type: string;
  source: string;
  phase?: string;
  servers?: number;
  versions?: number;
  lastSuccess?: string;
  message?: string;
}

/** Counts over every served version (deleted ones included). */
export interface ServerTotals {
  /** Distinct server names. */
  names: number;
  versions: number;
  /** Versions marked `isLatest`. */
  latest: number;
  /** Versions by status (`active`, `deprecated`, `deleted`). */
  byStatus: Record<string, number>;
  /** Versions offering at least one package of each registry type (`oci`, `npm`, `pypi` …). */
  packages: Record<string, number>;
  /** Versions with at least one remote (streamable-http or sse endpoint). */
  remotes: number;
}

export interface Stats {
  url: string;
  /** The registry the servers were counted for; absent when all of them were. */
  registry?: string;
  registries: RegistryRow[];
  servers: ServerTotals;
}

export interface StatsOptions {
  /** Base URL of the server, with any prefix it is mounted under (`http://host:8080`, `http://host/mcp`). */
  baseUrl: URL;
  /** Count the servers of this registry only. */
  registry?: string;
  timeoutMs: number;
}

interface RegistriesBody {
  registries?: {
    name: string;
    type: string;
    source: string;
    serverCount?: number;
    versionCount?: number;
    status?: { phase?: string; lastSuccess?: string; message?: string };
  }[];
}

interface ServerListBody {
  servers?: { server?: { name?: string; packages?: { registryType?: string }[]; remotes?: unknown[] }; _meta?: Record<string, { status?: string; isLatest?: boolean } | undefined> }[];
  metadata?: { nextCursor?: string };
}

/** Reads the registries and every page of the server list from a running server, and counts. */
export async function collectStats({ baseUrl, registry, timeoutMs }: StatsOptions): Promise<Stats> {
  const base = new URL(baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`);
  const body = (await getJson(new URL('v0.1/x/dev.toolhive/registries', base), timeoutMs)) as RegistriesBody;
  if (!Array.isArray(body.registries)) throw new ServerReadError(`${base.href} did not list its registries; is this a thv-registry server?`);
  let registries: RegistryRow[] = body.registries.map((r) => ({
    name: r.name,
    type: r.type,
    source: r.source,
    ...(r.status?.phase === undefined ? {} : { phase: r.status.phase }),
    ...(r.serverCount === undefined ? {} : { servers: r.serverCount }),
    ...(r.versionCount === undefined ? {} : { versions: r.versionCount }),
    ...(r.status?.lastSuccess === undefined ? {} : { lastSuccess: r.status.lastSuccess }),
    ...(r.status?.message === undefined ? {} : { message: r.status.message }),
  }));
  if (registry !== undefined) {
    registries = registries.filter((r) => r.name === registry);
    if (registries.length === 0) {
      const known = body.registries.map((r) => r.name).join(', ');
      throw new ServerReadError(`${base.href} has no registry "${registry}" (it serves: ${known || 'none'})`);
    }
  }
  const listPath = registry === undefined ? 'v0.1/servers' : `registry/${encodeURIComponent(registry)}/v0.1/servers`;
  const servers = await countServers(new URL(listPath, base), timeoutMs);
  return { url: baseUrl.href, ...(registry === undefined ? {} : { registry }), registries, servers };
}

/** Follows `metadata.nextCursor` through the whole list, 100 versions a page. */
async function countServers(listUrl: URL, timeoutMs: number): Promise<ServerTotals> {
  const totals: ServerTotals = { names: 0, versions: 0, latest: 0, byStatus: {}, packages: {}, remotes: 0 };
  const names = new Set<string>();
  const seenCursors = new Set<string>();
  let cursor: string | undefined;
  do {
    const url = new URL(listUrl);
    url.searchParams.set('limit', '100');
    url.searchParams.set('include_deleted', 'true');
    if (cursor !== undefined) url.searchParams.set('cursor', cursor);
    const page = (await getJson(url, timeoutMs)) as ServerListBody;
    if (!Array.isArray(page.servers)) throw new ServerReadError(`GET ${url.href} did not answer a server list`);
    for (const { server, _meta } of page.servers) {
      totals.versions += 1;
      if (typeof server?.name === 'string') names.add(server.name);
      const official = _meta?.[OFFICIAL];
      if (official?.isLatest === true) totals.latest += 1;
      const status = official?.status ?? 'active';
      totals.byStatus[status] = (totals.byStatus[status] ?? 0) + 1;
      for (const type of new Set((server?.packages ?? []).map((p) => p.registryType ?? 'unknown'))) {
        totals.packages[type] = (totals.packages[type] ?? 0) + 1;
      }
      if ((server?.remotes?.length ?? 0) > 0) totals.remotes += 1;
    }
    cursor = page.metadata?.nextCursor;
    if (cursor !== undefined) {
      // A server that hands out the same cursor twice would keep us here forever.
      if (seenCursors.has(cursor)) throw new ServerReadError(`GET ${listUrl.href} repeated the cursor ${JSON.stringify(cursor)}`);
      seenCursors.add(cursor);
    }
  } while (cursor !== undefined);
  totals.names = names.size;
  return totals;
}
