/**
 * thv-registry-source-dir: a thv-registry source plugin for `type: dir`, a directory of
 * server.json files. Installed next to a config file, it is found by its name alone:
 * `source: { type: dir, dir: { path: ./servers } }`.
 */
import { ConfigError, defineSourcePlugin, type SourceContext } from '@thv/registry-core';
import { configSchema, type DirSourceConfig } from './config-schema.js';
import { DirSource } from './dir-source.js';

export { configSchema, type DirSourceConfig } from './config-schema.js';
export { DirSource, type DirSourceOptions } from './dir-source.js';

/** Builds the source for a block that already passed {@link configSchema}; applies the defaults. */
function createDirSource(config: DirSourceConfig, ctx: SourceContext): DirSource {
  // Entries are server.json already, so a ToolHive format hint could only be a mistake.
  if (ctx.format === 'toolhive') {
    throw new ConfigError('dir source reads server.json files; remove `format: toolhive` (or set it to upstream)');
  }
  return new DirSource({
    root: ctx.resolvePath(config.path),
    recursive: config.recursive ?? true,
    onInvalidFile: config.onInvalidFile ?? 'fail',
    logger: ctx.logger,
  });
}

/** The `dir` source plugin. */
export default defineSourcePlugin<typeof configSchema, DirSourceConfig>({
  type: 'dir',
  configSchema,
  create: createDirSource,
});
