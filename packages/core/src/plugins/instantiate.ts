import { isAbsolute, join, resolve } from 'node:path';
import type { JSONSchema } from 'json-schema-to-ts';
import { createConfigError } from '../config/config-error.js';
import { validateBlock } from '../config/validate-block.js';
import { PluginContractError } from '../errors.js';
import type { Config, PluginSelection, RegistryConfig } from '../interfaces/config.js';
import type { Logger } from '../interfaces/logger.js';
import type { SourceHandler } from '../interfaces/source.js';
import type { Storage } from '../interfaces/storage.js';
import { resolvePlugin } from './loader.js';

/** What plugin instantiation needs beyond the config. */
export interface PluginEnvironment {
  logger: Logger;
  /** Further directories to look for plugin packages in (after the config file's directory). */
  extraDirs?: readonly string[];
}

const SOURCE_METHODS = ['fetch', 'describe'] as const;
const STORAGE_METHODS = ['open', 'close', 'load', 'commit', 'saveStatus', 'tryLease', 'releaseLease', 'watch'] as const;

/** Loads the source plugin of a registry, validates its block and creates its handler. */
export async function createSource(config: Config, registry: RegistryConfig, env: PluginEnvironment): Promise<SourceHandler> {
  const { plugin, from } = await resolvePlugin('source', registry.source, searchPath(config, env), env.logger);
  const options = checkedOptions(config, plugin.configSchema, registry.source);
  const logger = env.logger.child({ registry: registry.name, source: registry.source.type });
  const dataDir = join(config.dataDir, 'sources', encodeURIComponent(registry.name));
  const handler = await plugin.create(options, {
    registryName: registry.name,
    logger,
    dataDir,
    configDir: config.configDir,
    resolvePath: (path) => resolveAgainst(config.configDir, path),
    ...(registry.source.format === undefined ? {} : { format: registry.source.format }),
  });
  assertMethods(handler, SOURCE_METHODS, `source plugin ${from}`);
  return handler;
}

/** Loads the storage plugin, validates its block and creates the storage (not yet opened). */
export async function createStorage(config: Config, env: PluginEnvironment): Promise<Storage> {
  const { plugin, from } = await resolvePlugin('storage', config.storage, searchPath(config, env), env.logger);
  const options = checkedOptions(config, plugin.configSchema, config.storage);
  const storage = await plugin.create(options, {
    logger: env.logger.child({ storage: config.storage.type }),
    configDir: config.configDir,
    resolvePath: (path) => resolveAgainst(config.configDir, path),
    dataDir: config.dataDir,
  });
  assertMethods(storage, STORAGE_METHODS, `storage plugin ${from}`);
  return storage;
}

function searchPath(config: Config, env: PluginEnvironment) {
  return { configDir: config.configDir, extraDirs: [process.cwd(), ...(env.extraDirs ?? [])] };
}

/** The plugin's block, checked against the plugin's own schema; a mutable copy, as the config is frozen. */
function checkedOptions(config: Config, schema: JSONSchema, selection: PluginSelection): unknown {
  const errors = validateBlock(schema, selection.options, selection.optionsPath);
  if (errors.length > 0) throw createConfigError(config.configPath, errors);
  return structuredClone(selection.options);
}

function resolveAgainst(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/** Fails with the names of the methods a plugin's object lacks (the contract's shape check). */
export function assertMethods(value: unknown, methods: readonly string[], what: string): void {
  const missing = methods.filter((name) => typeof (value as Record<string, unknown> | null)?.[name] !== 'function');
  if (missing.length > 0) {
    throw new PluginContractError(`${what} returned an object without ${missing.join(', ')}`);
  }
}
