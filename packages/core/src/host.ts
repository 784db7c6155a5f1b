/**
 * `@thv/registry-core/host`: what an application hosting thv-registry needs — the CLI, or a
 * fastify application embedding the API. Configuration loading, the plugin loader, the registry
 * document formats, filters, the in-memory catalog, sync, the runtime that wires them together,
 * the HTTP API and the export of a registry.
 *
 * It re-exports the plugin API of `@thv/registry-core` as well, so a host needs one import.
 *
 * @example
 * import { buildApp, createRuntime, loadConfig } from '@thv/registry-core/host';
 *
 * const runtime = await createRuntime(await loadConfig('./config.yaml'), { logger });
 * await runtime.start(); // opens storage, loads the snapshots, then syncs on schedule
 * const app = await buildApp({ catalog: runtime.catalog, readiness: () => runtime.readiness(), info: { version: '1.0.0' }, logger });
 * await app.listen({ port: 8080 });
 */
export * from './index.js';

// Configuration.
export type {
  Config,
  FilterConfig,
  IncludeExclude,
  PluginSelection,
  RegistryConfig,
  ServerConfig,
  SourceConfig,
  SyncPolicy,
} from './interfaces/config.js';
export { loadConfig } from './config/load-config.js';
export { DATA_DIR_ENV, parseConfig, type ConfigEnvironment, type ConfigOptions } from './config/parse-config.js';
export { validateBlock } from './config/validate-block.js';
export { parseAddress } from './config/address.js';
export { createConfigError, formatErrorDetail } from './config/config-error.js';

// Finding, checking and creating plugins.
export { BUILT_IN_PLUGINS, candidatePackages, resolvePlugin } from './plugins/loader.js';
export type { PluginSearchPath, ResolvedPlugin } from './plugins/loader.js';
export { assertMethods, createSource, createStorage, type PluginEnvironment } from './plugins/instantiate.js';

// Registry document formats and the ToolHive conversions.
export { TOOLHIVE_META_NAMESPACE } from './interfaces/model.js';
export type { DocumentFormat, ParsedDocument } from './interfaces/model.js';
export { assertFormatHint, detectFormat } from './formats/detect.js';
export { parseDocument } from './formats/parse.js';
export { imageEntryToServer, remoteEntryToServer } from './formats/toolhive-to-server.js';
export { serverToToolhive, type ToolhiveConversion } from './formats/server-to-toolhive.js';
export { toolhiveExtensions, toolhiveMeta, toolhiveTags } from './formats/toolhive-meta.js';
export type * from './formats/toolhive-types.js';

// The in-memory catalog and filters.
export type * from './interfaces/catalog.js';
export { Catalog } from './catalog/catalog.js';
export { compareUtf8 } from './catalog/byte-order.js';
export { compileFilter, filterHash, type EntryFilter } from './filter/filter.js';

// Sync and the runtime.
export { buildSnapshot, entryKey, type BuiltSnapshot, type SnapshotMode } from './sync/snapshot.js';
export { collectEntries, gatherEntries, type CollectedEntries, type GatheredEntries } from './sync/collect.js';
export { SyncCoordinator, type Readiness, type SyncCoordinatorOptions, type SyncOutcome, type SyncProblem } from './sync/coordinator.js';
export { createRuntime, RegistryRuntime, type RuntimeOptions, type StartOptions } from './runtime/registry-runtime.js';
export { installCrashGuard, CRASH_EXIT_CODE, type CrashGuardOptions } from './runtime/crash-guard.js';
export type { RetryPolicy } from './runtime/retry-until.js';

// The HTTP API.
export { buildApp, type AppOptions } from './http/app.js';
export { logRequestLine, type RequestLine, type RequestLineWriter } from './http/request-log.js';
export { registryApi } from './http/registry-api.js';
export type { Degradation, ReadinessReport, RegistryApiOptions, RegistrySummary, VersionInfo } from './http/options.js';
export { toProblem, PROBLEM_CONTENT_TYPE, type Problem } from './http/problem.js';

// Export of a registry.
export type { ExportSkip } from './export/catalog-entries.js';
export { exportUpstream, UPSTREAM_REGISTRY_SCHEMA_URL, type FileExportOptions, type UpstreamExport, type UpstreamRegistryDocument } from './export/upstream-export.js';
export { exportToolhive, TOOLHIVE_REGISTRY_SCHEMA_URL, type ToolhiveExport, type ToolhiveRegistryDocument } from './export/toolhive-export.js';
export { exportStaticSite, STATIC_INDEX_FILE, type StaticFile, type StaticSite } from './export/static-export.js';
export { outputProblem, writeFileAtomically, writeTreeAtomically, type OutputKind, type WriteOptions } from './export/write-output.js';
