import { DURATION_PATTERN } from '@thv/registry-core';

/** Default `timeout`: the time limit of one request, body included. */
export const DEFAULT_TIMEOUT = '10s';

/** Default `pageSize`: the largest page the official API allows. */
export const DEFAULT_PAGE_SIZE = 100;

/** Default `maxPages`: 100,000 versions at the default page size. */
export const DEFAULT_MAX_PAGES = 1000;

/** Default `maxBytes`: 256 MiB of responses per sync. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Default `fullResyncInterval`: how often an incremental source still reads everything. */
export const DEFAULT_FULL_RESYNC_INTERVAL = '24h';

/** Default `retries` of one request. */
export const DEFAULT_RETRIES = 4;

/**
 * JSON schema of the `source.api` block.
 */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoint'],
  properties: {
    endpoint: {
      type: 'string',
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]',
      description:
        'Base URL of an upstream MCP Registry (v0.1 API), e.g. https://registry.modelcontextprotocol.io. The API paths (/v0.1/servers) are appended; a trailing slash is fine.',
    },
    timeout: {
      type: 'string',
      pattern: DURATION_PATTERN,
      default: DEFAULT_TIMEOUT,
      description: 'Time limit of one request, body included (e.g. 10s, 1m). A request that times out is retried.',
    },
    pageSize: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: DEFAULT_PAGE_SIZE,
      description: 'Server versions asked for per page (the `limit` query parameter), 1 to 100.',
    },
    maxPages: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_MAX_PAGES,
      description: 'Most pages read in one sync; an upstream with more fails the sync instead of paging forever.',
    },
    maxBytes: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_MAX_BYTES,
      description: 'Most response bytes read in one sync, all pages together; more fails the sync.',
    },
    fullResyncInterval: {
      type: 'string',
      pattern: DURATION_PATTERN,
      default: DEFAULT_FULL_RESYNC_INTERVAL,
      description:
        'Between syncs only changes are fetched (updated_since); after this long a sync reads the whole upstream again, which also notices versions removed without a deleted status.',
    },
    retries: {
      type: 'integer',
      minimum: 0,
      maximum: 20,
      default: DEFAULT_RETRIES,
      description:
        'Retries of one request after a network error, a timeout, HTTP 429 or 5xx, a truncated body or invalid JSON, with exponential backoff.',
    },
    headers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Extra request headers, e.g. Authorization: Bearer …. Values are never logged.',
    },
  },
} as const;

/** The `source.api` block as the plugin receives it (defaults may not be applied yet). */
export interface ApiSourceConfig {
  /** Base URL of the upstream registry. */
  endpoint: string;
  /** Duration string, default {@link DEFAULT_TIMEOUT}. */
  timeout?: string;
  /** 1..100, default {@link DEFAULT_PAGE_SIZE}. */
  pageSize?: number;
  /** Default {@link DEFAULT_MAX_PAGES}. */
  maxPages?: number;
  /** Default {@link DEFAULT_MAX_BYTES}. */
  maxBytes?: number;
  /** Duration string, default {@link DEFAULT_FULL_RESYNC_INTERVAL}. */
  fullResyncInterval?: string;
  /** Default {@link DEFAULT_RETRIES}. */
  retries?: number;
  /** Extra request headers; values are secrets as far as logs are concerned. */
  headers?: Record<string, string>;
}
