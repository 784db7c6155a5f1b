import { ConfigError, defineSourcePlugin, parseDuration, type SourceContext } from '@thv/registry-core';
import { ApiSource } from './api-source.js';
import {
  configSchema,
  DEFAULT_FULL_RESYNC_INTERVAL,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_PAGES,
  DEFAULT_PAGE_SIZE,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT,
  type ApiSourceConfig,
} from './config-schema.js';
import { checkHeaders, parseEndpoint } from './endpoint.js';

export * from './config-schema.js';
export { ApiSource, type ApiSourceOptions } from './api-source.js';
export { OVERLAP_MS, type ApiSourceState } from './sync-state.js';

/** Builds the source for a validated `source.api` block. */
function createApiSource(config: ApiSourceConfig, ctx: SourceContext): ApiSource {
  if (typeof config.endpoint !== 'string') throw new ConfigError('api source needs an endpoint');
  if (ctx.format === 'toolhive') {
    throw new ConfigError('an api source delivers the upstream format; remove `format: toolhive` or set it to upstream');
  }
  const timeoutText = config.timeout ?? DEFAULT_TIMEOUT;
  const fullResyncText = config.fullResyncInterval ?? DEFAULT_FULL_RESYNC_INTERVAL;
  const pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new ConfigError('api source pageSize must be an integer from 1 to 100');
  }
  return new ApiSource({
    endpoint: parseEndpoint(config.endpoint),
    headers: checkHeaders(config.headers),
    timeoutMs: duration('timeout', timeoutText),
    timeoutText,
    pageSize,
    maxPages: positive('maxPages', config.maxPages ?? DEFAULT_MAX_PAGES),
    maxBytes: positive('maxBytes', config.maxBytes ?? DEFAULT_MAX_BYTES),
    fullResyncMs: duration('fullResyncInterval', fullResyncText),
    retries: retries(config.retries ?? DEFAULT_RETRIES),
    logger: ctx.logger,
  });
}

function duration(field: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new ConfigError(`api source ${field} "${text}" is not a duration (e.g. 30s)`);
  return ms;
}

function positive(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`api source ${field} must be a positive integer`);
  return value;
}

function retries(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 20) {
    throw new ConfigError('api source retries must be a whole number from 0 to 20');
  }
  return value;
}

/** The `api` source plugin: an upstream MCP Registry API (v0.1), paged and incremental. */
export default defineSourcePlugin<typeof configSchema, ApiSourceConfig>({
  type: 'api',
  configSchema,
  create: createApiSource,
});
