/**
 * JSON schemas of the HTTP API: fastify validates requests with them and the OpenAPI document is
 * built from them, so what is checked and what is documented cannot drift apart.
 */
import { OFFICIAL_META_KEY } from '../interfaces/model.js';

/** A JSON schema object (the subset this API writes). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** The list page size bounds and default of the official API. */
export const LIMIT = { min: 1, max: 100, default: 30 } as const;

const includeDeleted = {
  type: 'boolean',
  default: false,
  description: 'Include versions whose status is `deleted`.',
} as const;

/** Query of `GET …/servers`. */
export const listQuerystring = {
  type: 'object',
  properties: {
    cursor: { type: 'string', description: 'Opaque cursor: the `metadata.nextCursor` of the previous page.' },
    limit: {
      type: 'integer',
      minimum: LIMIT.min,
      maximum: LIMIT.max,
      default: LIMIT.default,
      description: 'Maximum number of items to return.',
    },
    search: { type: 'string', description: 'Case-insensitive substring of the name, title or description.' },
    updated_since: {
      type: 'string',
      format: 'date-time',
      description: 'Only versions updated strictly after this RFC 3339 instant; implies `include_deleted`.',
    },
    version: { type: 'string', description: '`latest`, or an exact version.' },
    include_deleted: includeDeleted,
  },
} as const;

/** Query of the versions and version routes. */
export const includeDeletedQuerystring = {
  type: 'object',
  properties: { include_deleted: includeDeleted },
} as const;

/** Path parameters this API uses, by name. */
export const pathParams = {
  registryName: { type: 'string', description: 'Name of a configured registry.' },
  serverName: { type: 'string', description: 'URL-encoded server name, e.g. `io.github.user%2Fweather`.' },
  version: { type: 'string', description: 'URL-encoded version, or `latest`.' },
  name: { type: 'string', description: 'URL-encoded server name.' },
} as const satisfies Record<string, JsonSchema>;

/** The params schema of a route whose path has the given parameters. */
export function paramsSchema(names: readonly (keyof typeof pathParams)[]): JsonSchema {
  return {
    type: 'object',
    required: names,
    properties: Object.fromEntries(names.map((name) => [name, pathParams[name]])),
  };
}

const officialMeta = {
  type: 'object',
  description: 'Registry-managed metadata.',
  properties: {
    status: { type: 'string', enum: ['active', 'deprecated', 'deleted'] },
    statusMessage: { type: 'string' },
    statusChangedAt: { type: 'string', format: 'date-time' },
    publishedAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    isLatest: { type: 'boolean' },
  },
} as const;

/** One server version: `{ server, _meta }`, as the official registry. */
export const serverResponse = {
  type: 'object',
  description: 'One server version.',
  required: ['server'],
  properties: {
    server: { type: 'object', description: 'The server.json document.', additionalProperties: true },
    _meta: { type: 'object', properties: { [OFFICIAL_META_KEY]: officialMeta }, additionalProperties: true },
  },
} as const;

/** A page of server versions, as the official registry. */
export const serverList = {
  type: 'object',
  description: 'A page of server versions.',
  required: ['servers', 'metadata'],
  properties: {
    servers: { type: 'array', items: serverResponse },
    metadata: {
      type: 'object',
      required: ['count'],
      properties: {
        count: { type: 'integer', description: 'Number of items in this page.' },
        nextCursor: { type: 'string', description: 'Cursor of the next page; absent on the last page.' },
      },
    },
  },
} as const;

/** The original server's list: the latest version of every server and their number. */
export const compatServerList = {
  type: 'object',
  description: 'The latest version of every server.',
  required: ['servers', 'total'],
  properties: {
    servers: { type: 'array', items: serverResponse },
    total: { type: 'integer' },
  },
} as const;

/** One running instance of an MCP server (a Kubernetes workload). */
export const deployedServer = {
  type: 'object',
  required: ['name', 'namespace', 'kind', 'exported'],
  properties: {
    name: { type: 'string', description: 'The workload (resource) name.' },
    namespace: { type: 'string' },
    kind: { type: 'string', description: 'e.g. `MCPServer`, `VirtualMCPServer`, `MCPRemoteProxy`.' },
    serverName: { type: 'string', description: 'The registry server name it runs, when known.' },
    exported: { type: 'boolean', description: 'Whether it is a registry entry of its own.' },
    image: { type: 'string' },
    transport: { type: 'string', description: 'e.g. `stdio`, `streamable-http`, `sse`.' },
    url: { type: 'string', description: 'Where clients reach it.' },
    phase: { type: 'string', description: 'Its phase as its status reports it, e.g. `Running`.' },
    ready: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The deployed instances and their number. */
export const deployedServerList = {
  type: 'object',
  description: 'Deployed server instances, in namespace and name order.',
  required: ['servers', 'total'],
  properties: {
    servers: { type: 'array', items: deployedServer },
    total: { type: 'integer' },
  },
} as const;

/** An RFC 9457 problem (content type `application/problem+json`). */
export const problem = {
  type: 'object',
  description: 'An error (RFC 9457 problem details).',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable machine code, e.g. `THV_ERR_NOT_FOUND`.' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** A 304 answer to a matching `If-None-Match`. */
export const notModified = { type: 'null', description: 'Not modified: the cached copy is current.' } as const;

/** `GET /health`. */
export const health = {
  type: 'object',
  description: 'The process is alive.',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
} as const;

/** What fails while the last good catalog is served (`degraded` of `/readiness` and the status route). */
const degradedList = {
  type: 'array',
  description:
    'What is failing while the last good catalog is served: storage that cannot be reached, or a registry whose sync fails. ' +
    'Empty when all is well. Reads are not affected.',
  items: {
    type: 'object',
    required: ['component', 'message'],
    properties: {
      component: { type: 'string', enum: ['storage', 'sync'] },
      registry: { type: 'string', description: 'For a failing sync: the registry.' },
      message: { type: 'string' },
      consecutiveFailures: { type: 'integer' },
      lastSuccess: { type: 'string', format: 'date-time' },
      nextAttempt: { type: 'string', format: 'date-time', description: 'When this server tries again.' },
    },
  },
} as const;

/** `GET /readiness` when ready. */
export const ready = {
  type: 'object',
  description: 'Every registry has data. A degraded server stays ready: it serves its last good catalog.',
  required: ['status', 'degraded'],
  properties: { status: { type: 'string', enum: ['ready'] }, degraded: degradedList },
} as const;

/** `GET /version`. */
export const version = {
  type: 'object',
  description: 'Build information.',
  required: ['version'],
  properties: {
    version: { type: 'string' },
    commit: { type: 'string' },
    buildDate: { type: 'string' },
    nodeVersion: { type: 'string' },
  },
} as const;

/** `GET /openapi.json`. */
export const openApiDocument = {
  type: 'object',
  description: 'The OpenAPI 3.1 document of this API.',
  additionalProperties: true,
} as const;

const syncStatus = {
  type: 'object',
  description: 'Sync status of a registry.',
  properties: {
    phase: { type: 'string', enum: ['Syncing', 'Complete', 'Failed'] },
    message: { type: 'string' },
    lastAttempt: { type: 'string', format: 'date-time' },
    lastSuccess: { type: 'string', format: 'date-time' },
    consecutiveFailures: { type: 'integer', description: 'Failed attempts since the last success.' },
    fingerprint: { type: 'string', description: 'Identifies the source content last committed.' },
    filterHash: { type: 'string', description: 'Identifies the filter last applied.' },
    serverCount: { type: 'integer' },
    versionCount: { type: 'integer' },
    skipped: { type: 'integer', description: 'Invalid entries skipped by the last successful sync.' },
    skippedEntries: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, version: { type: 'string' }, reason: { type: 'string' } },
      },
    },
  },
} as const;

/** One configured registry with its source and sync status. */
export const registrySummary = {
  type: 'object',
  required: ['name', 'type', 'source'],
  properties: {
    name: { type: 'string' },
    type: { type: 'string', description: 'Source plugin type.' },
    source: { type: 'string', description: 'What the source reads, without secrets.' },
    serverCount: { type: 'integer', description: 'Servers served for this registry now.' },
    versionCount: { type: 'integer', description: 'Server versions served for this registry now.' },
    status: syncStatus,
    nextAttempt: { type: 'string', format: 'date-time', description: 'When this server next syncs it (after a failure: retries).' },
  },
} as const;

/** Body of `GET /v0.1/x/dev.toolhive/registries`. */
export const registrySummaryList = {
  type: 'object',
  required: ['registries', 'degraded'],
  properties: { registries: { type: 'array', items: registrySummary }, degraded: degradedList },
} as const;
