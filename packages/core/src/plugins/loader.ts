import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closest } from 'fastest-levenshtein';
import { PluginContractError, PluginLoadError, PluginNotFoundError } from '../errors.js';
import type { PluginSelection } from '../interfaces/config.js';
import type { Logger } from '../interfaces/logger.js';
import { PLUGIN_API_VERSION, type PluginKind, type SourcePlugin, type StoragePlugin } from './define.js';
import { findPackageDir, isPathSpecifier, packageEntry, pathEntry } from './resolve-package.js';

/** Plugin types whose packages ship with thv-registry, by kind. */
export const BUILT_IN_PLUGINS: Readonly<Record<PluginKind, Readonly<Record<string, string>>>> = {
  source: {
    file: '@thv/registry-source-file',
    git: '@thv/registry-source-git',
    api: '@thv/registry-source-api',
    kubernetes: '@thv/registry-source-kubernetes',
  },
  storage: {
    fs: '@thv/registry-storage-fs',
    pg: '@thv/registry-storage-pg',
  },
};

/** Where plugin packages are looked for, in order. */
export interface PluginSearchPath {
  /** Directory of the config file: searched first. */
  configDir: string;
  /** Further directories, e.g. the working directory and the CLI's own install. */
  extraDirs?: readonly string[];
}

/** The plugin module a selection resolved to. */
export interface ResolvedPlugin<P> {
  plugin: P;
  /** What was imported: a package name or a file path. */
  from: string;
}

type PluginOfKind<K extends PluginKind> = K extends 'source' ? SourcePlugin : StoragePlugin;

/** Module names tried for `type` of `kind`, in order (architecture §3). */
export function candidatePackages(kind: PluginKind, type: string): string[] {
  const names = [BUILT_IN_PLUGINS[kind][type], `@thv/registry-${kind}-${type}`, `thv-registry-${kind}-${type}`];
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}

/**
 * Finds, imports and checks the plugin for a config selection. An explicit `plugin:` wins;
 * otherwise the built-in table, then `@thv/registry-<kind>-<type>`, then `thv-registry-<kind>-<type>`,
 * each looked up from the config file's directory, then `extraDirs`, then core's own install.
 * Not installed → {@link PluginNotFoundError} naming every name tried; installed but broken →
 * {@link PluginLoadError}; wrong shape → {@link PluginContractError}.
 */
export async function resolvePlugin<K extends PluginKind>(
  kind: K,
  selection: PluginSelection,
  searchPath: PluginSearchPath,
  logger?: Logger,
): Promise<ResolvedPlugin<PluginOfKind<K>>> {
  const bases = searchBases(searchPath);
  const specifiers = selection.plugin === undefined ? candidatePackages(kind, selection.type) : [selection.plugin];
  for (const specifier of specifiers) {
    const entry = locate(specifier, bases);
    if (entry === undefined) continue;
    logger?.debug({ kind, type: selection.type, plugin: specifier, entry }, 'plugin resolved');
    const module = await importEntry(specifier, entry);
    return { plugin: checkPlugin(kind, selection, specifier, module) as PluginOfKind<K>, from: specifier };
  }
  throw notFound(kind, selection, specifiers, bases);
}

function searchBases(searchPath: PluginSearchPath): string[] {
  const ownInstall = fileURLToPath(new URL('.', import.meta.url));
  return [...new Set([searchPath.configDir, ...(searchPath.extraDirs ?? []), ownInstall])];
}

function locate(specifier: string, bases: readonly string[]): string | undefined {
  if (isPathSpecifier(specifier)) {
    return pathEntry(specifier.startsWith('file:') ? fileURLToPath(specifier) : specifier);
  }
  for (const base of bases) {
    const dir = findPackageDir(specifier, base);
    if (dir !== undefined) return packageEntry(dir);
  }
  return undefined;
}

async function importEntry(specifier: string, entry: string): Promise<unknown> {
  if (!existsSync(entry)) {
    throw new PluginLoadError(`plugin ${specifier} is installed but its entry file ${entry} is missing (is it built?)`);
  }
  try {
    return await import(pathToFileURL(entry).href);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PluginLoadError(`plugin ${specifier} failed to load: ${reason}`, { cause: error });
  }
}

function checkPlugin(kind: PluginKind, selection: PluginSelection, specifier: string, module: unknown): SourcePlugin | StoragePlugin {
  const plugin = (module as { default?: unknown } | null)?.default as Partial<SourcePlugin | StoragePlugin> | undefined;
  const define = kind === 'source' ? 'defineSourcePlugin' : 'defineStoragePlugin';
  if (plugin === undefined || plugin === null || typeof plugin !== 'object') {
    throw new PluginContractError(`plugin ${specifier} has no default export; export default ${define}({ … })`);
  }
  if (plugin.kind !== kind) {
    throw new PluginContractError(`plugin ${specifier} is a ${String(plugin.kind)} plugin, but a ${kind} plugin is needed for ${selection.optionsPath}`);
  }
  if (plugin.type !== selection.type) {
    throw new PluginContractError(`plugin ${specifier} serves type "${String(plugin.type)}", but the config asks for type "${selection.type}"`);
  }
  if (plugin.apiVersion !== PLUGIN_API_VERSION) {
    throw new PluginContractError(
      `plugin ${specifier} was built for plugin API ${String(plugin.apiVersion)}; this thv-registry supports ${PLUGIN_API_VERSION}`,
    );
  }
  if (typeof plugin.create !== 'function' || typeof plugin.configSchema !== 'object' || plugin.configSchema === null) {
    throw new PluginContractError(`plugin ${specifier} lacks create() or configSchema; make it with ${define}()`);
  }
  return plugin as SourcePlugin | StoragePlugin;
}

function notFound(kind: PluginKind, selection: PluginSelection, tried: readonly string[], bases: readonly string[]): PluginNotFoundError {
  // A source block sits under its type (`source.git`); a storage block is the section itself.
  const typePath = kind === 'source' ? selection.optionsPath.replace(/\.[^.]+$/, '.type') : 'storage.type';
  const known = Object.keys(BUILT_IN_PLUGINS[kind]);
  const suggestion = selection.plugin === undefined ? closest(selection.type, known) : undefined;
  const hint = suggestion !== undefined && suggestion !== selection.type ? ` (did you mean "${suggestion}"?)` : '';
  const install = tried.find((name) => !isPathSpecifier(name));
  const message =
    `no ${kind} plugin found for type "${selection.type}" at ${selection.plugin === undefined ? typePath : typePath.replace(/\.type$/, '.plugin')}${hint}: ` +
    `tried ${tried.join(', ')} from ${bases.join(', ')}` +
    (install === undefined ? '' : `; install it with: npm install ${install}`);
  return new PluginNotFoundError(message, { errors: [{ path: typePath, message: `unknown ${kind} type "${selection.type}"${hint}` }] });
}
