import { ConfigError, defineSourcePlugin, parseDuration, type SourceContext } from '@thv/registry-core';
import { configSchema, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, type FileSourceConfig } from './config-schema.js';
import { FileSource } from './file-source.js';
import { createPathReader } from './path-reader.js';
import { parseRemoteUrl } from './remote-url.js';
import { createUrlReader } from './url-reader.js';

export { configSchema, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, type FileSourceConfig } from './config-schema.js';
export { FileSource } from './file-source.js';

/** Builds the source for a validated `source.file` block. */
function createFileSource(config: FileSourceConfig, ctx: SourceContext): FileSource {
  const maxBytes = config.maxBytes ?? DEFAULT_MAX_BYTES;
  if (config.path !== undefined && config.url === undefined) {
    return new FileSource(createPathReader(ctx.resolvePath(config.path), maxBytes), ctx.logger);
  }
  if (config.url !== undefined && config.path === undefined) {
    const timeoutText = config.timeout ?? DEFAULT_TIMEOUT;
    const timeoutMs = parseDuration(timeoutText);
    if (timeoutMs === undefined) throw new ConfigError(`file source timeout "${timeoutText}" is not a duration (e.g. 30s)`);
    const reader = createUrlReader(parseRemoteUrl(config.url), { timeoutMs, timeoutText, maxBytes, logger: ctx.logger });
    return new FileSource(reader, ctx.logger);
  }
  throw new ConfigError('file source needs exactly one of path or url');
}

/** The `file` source plugin: a registry document on disk or at an http(s) URL. */
export default defineSourcePlugin<typeof configSchema, FileSourceConfig>({
  type: 'file',
  configSchema,
  create: createFileSource,
});
