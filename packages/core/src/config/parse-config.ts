import { dirname, resolve } from 'node:path';
import type { ErrorDetail } from '../errors.js';
import type { Config } from '../interfaces/config.js';
import { buildServer } from './address.js';
import { createConfigError } from './config-error.js';
import { buildDatabase } from './database.js';
import { deepFreeze } from './deep-freeze.js';
import { buildRegistries } from './registries.js';
import { resolveFilePath } from './resolve-paths.js';
import { configFileSchema, type ConfigFile } from './schema.js';
import { selectStorage } from './storage.js';
import { parseYamlText } from './yaml-text.js';
import { validateBlock } from './validate-block.js';

/** Where snapshots and caches go when `dataDir` is not given, relative to the config file. */
const DEFAULT_DATA_DIR = './data';

/**
 * The environment variable that names the data directory when the config file sets no `dataDir`
 * (a container image points it at its volume, `/data`).
 */
export const DATA_DIR_ENV = 'THV_DATA_DIR';

/** Environment variables, as `process.env` holds them. */
export type ConfigEnvironment = Readonly<Record<string, string | undefined>>;

/** Options of {@link parseConfig} and `loadConfig`. */
export interface ConfigOptions {
  /**
   * The environment to honour. Only {@link DATA_DIR_ENV} (`THV_DATA_DIR`) is read: when set and
   * not empty, it is the data directory of a config file without `dataDir`, in place of `./data`
   * next to the file (a relative value is resolved against the working directory). An explicit
   * `dataDir` in the file always wins. Default: no environment, so the result depends on the
   * file alone; the CLI passes `process.env`.
   */
  readonly env?: ConfigEnvironment;
}

/**
 * Parses and validates the text of a config file into a frozen {@link Config}. `configPath` must
 * be absolute: relative paths in the file are resolved against its directory. Every problem is
 * reported at once in a ConfigError (shape problems first; the rules across fields once the
 * shape is right). Plugin blocks are not validated here; the plugin loader does that.
 */
export function parseConfig(text: string, configPath: string, options: ConfigOptions = {}): Config {
  const raw = parseYamlText(text, configPath);
  const shapeProblems = validateBlock(configFileSchema, raw, '');
  if (shapeProblems.length > 0) throw createConfigError(configPath, shapeProblems);
  const issues: ErrorDetail[] = [];
  const config = buildConfig(raw as ConfigFile, configPath, options, issues);
  if (issues.length > 0) throw createConfigError(configPath, issues);
  return deepFreeze(config);
}

function buildConfig(file: ConfigFile, configPath: string, options: ConfigOptions, issues: ErrorDetail[]): Config {
  const configDir = dirname(configPath);
  const database = file.database === undefined ? undefined : buildDatabase(file.database, configDir, issues);
  return {
    configPath,
    configDir,
    dataDir: resolveDataDir(file.dataDir, configDir, options.env),
    registries: buildRegistries(file, configDir, issues),
    storage: selectStorage(file.storage, database, configDir, issues),
    ...(database === undefined ? {} : { database }),
    server: buildServer(file.server, issues),
  };
}

/**
 * The data directory: the file's `dataDir` (relative to the config file), else a non-empty
 * `THV_DATA_DIR` from `env` (relative to the working directory, like `--config`), else `./data`
 * next to the config file.
 */
function resolveDataDir(dataDir: string | undefined, configDir: string, env: ConfigEnvironment | undefined): string {
  if (dataDir !== undefined) return resolveFilePath(configDir, dataDir);
  const fromEnv = env?.[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return resolveFilePath(configDir, DEFAULT_DATA_DIR);
}
