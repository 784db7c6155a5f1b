import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { SourceContext, SourceHandler } from '../interfaces/source.js';
import type { Storage, StorageContext } from '../interfaces/storage.js';

/** Version of the plugin contract. A plugin built for another version is refused at load. */
export const PLUGIN_API_VERSION = 1;

/** The two kinds of backend plugin. */
export type PluginKind = 'source' | 'storage';

/** A source plugin: the default export of a source plugin module. */
export interface SourcePlugin<TConfig = unknown> {
  readonly kind: 'source';
  readonly apiVersion: number;
  /** The `type` it serves (`source.type` in the config). */
  readonly type: string;
  /** JSON schema of its config block (`source.<type>`), checked before `create`. */
  readonly configSchema: JSONSchema;
  create(config: TConfig, context: SourceContext): SourceHandler | Promise<SourceHandler>;
}

/** A storage plugin: the default export of a storage plugin module. */
export interface StoragePlugin<TConfig = unknown> {
  readonly kind: 'storage';
  readonly apiVersion: number;
  /** The `type` it serves (`storage.type` in the config). */
  readonly type: string;
  /** JSON schema of its config block, checked before `create`. */
  readonly configSchema: JSONSchema;
  create(config: TConfig, context: StorageContext): Storage | Promise<Storage>;
}

/** Either kind of plugin. */
export type AnyPlugin = SourcePlugin | StoragePlugin;

/** What a plugin author writes; the config type is derived from the schema. */
export interface PluginDefinition<S extends JSONSchema, TConfig, TContext, TResult> {
  type: string;
  configSchema: S;
  create(config: TConfig, context: TContext): TResult | Promise<TResult>;
}

/**
 * Declares a source plugin. Export the result as the module's default export.
 *
 * @example
 * export default defineSourcePlugin({
 *   type: 'dir',
 *   configSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } as const,
 *   create(config, ctx) { return { describe: () => `dir ${config.path}`, fetch: async () => ({ … }) }; },
 * });
 */
export function defineSourcePlugin<const S extends JSONSchema, TConfig = FromSchema<S>>(
  definition: PluginDefinition<S, TConfig, SourceContext, SourceHandler>,
): SourcePlugin<TConfig> {
  return Object.freeze({
    kind: 'source',
    apiVersion: PLUGIN_API_VERSION,
    type: definition.type,
    configSchema: definition.configSchema,
    create: definition.create,
  });
}

/** Declares a storage plugin. Export the result as the module's default export. */
export function defineStoragePlugin<const S extends JSONSchema, TConfig = FromSchema<S>>(
  definition: PluginDefinition<S, TConfig, StorageContext, Storage>,
): StoragePlugin<TConfig> {
  return Object.freeze({
    kind: 'storage',
    apiVersion: PLUGIN_API_VERSION,
    type: definition.type,
    configSchema: definition.configSchema,
    create: definition.create,
  });
}
