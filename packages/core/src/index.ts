/**
 * @thv/registry-core: the model, formats, configuration, plugin contracts and loader, catalog,
 * sync and the MCP Registry HTTP API of thv-registry. Plugin authors need only the
 * `define…Plugin` helpers, the interfaces and the errors; hosts embedding the API use
 * `registryApi` / `buildApp` with a `Catalog`.
 */
export * from './errors.js';
export * from './interfaces/model.js';
export type * from './interfaces/status.js';
export type * from './interfaces/source.js';
export type * from './interfaces/storage.js';
export type * from './interfaces/config.js';
export type * from './interfaces/catalog.js';
export type * from './interfaces/logger.js';
export { CORE_VERSION } from './version.js';

export { PLUGIN_API_VERSION, defineSourcePlugin, defineStoragePlugin } from './plugins/define.js';
export type { AnyPlugin, PluginDefinition, PluginKind, SourcePlugin, StoragePlugin } from './plugins/define.js';
export { BUILT_IN_PLUGINS, candidatePackages, resolvePlugin } from './plugins/loader.js';
export type { PluginSearchPath, ResolvedPlugin } from './plugins/loader.js';
export { assertMethods, createSource, createStorage, type PluginEnvironment } from './plugins/instantiate.js';

export { parseDuration } from './config/duration.js';
export { loadConfig } from './config/load-config.js';
export { parseConfig } from './config/parse-config.js';
export { validateBlock } from './config/validate-block.js';
export { parseAddress } from './config/address.js';
export { createConfigError, formatErrorDetail } from './config/config-error.js';

export { Catalog } from './catalog/catalog.js';
export { compareUtf8 } from './catalog/byte-order.js';
export { compileFilter, filterHash, type EntryFilter } from './filter/filter.js';

export { buildSnapshot, entryKey, type BuiltSnapshot, type SnapshotMode } from './sync/snapshot.js';
export { collectEntries, gatherEntries, type CollectedEntries, type GatheredEntries } from './sync/collect.js';
export { SyncCoordinator, type Readiness, type SyncCoordinatorOptions, type SyncOutcome } from './sync/coordinator.js';
export { createRuntime, type RegistryRuntime } from './runtime/registry-runtime.js';

export { buildApp, type AppOptions } from './http/app.js';
export { registryApi } from './http/registry-api.js';
export type { RegistryApiOptions, VersionInfo, ReadinessReport } from './http/options.js';
export { toProblem, PROBLEM_CONTENT_TYPE, type Problem } from './http/problem.js';
