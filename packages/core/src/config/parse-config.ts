import { dirname } from 'node:path';
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
 * Parses and validates the text of a config file into a frozen {@link Config}. `configPath` must
 * be absolute: relative paths in the file are resolved against its directory. Every problem is
 * reported at once in a ConfigError (shape problems first; the rules across fields once the
 * shape is right). Plugin blocks are not validated here; the plugin loader does that.
 */
export function parseConfig(text: string, configPath: string): Config {
  const raw = parseYamlText(text, configPath);
  const shapeProblems = validateBlock(configFileSchema, raw, '');
  if (shapeProblems.length > 0) throw createConfigError(configPath, shapeProblems);
  const issues: ErrorDetail[] = [];
  const config = buildConfig(raw as ConfigFile, configPath, issues);
  if (issues.length > 0) throw createConfigError(configPath, issues);
  return deepFreeze(config);
}

function buildConfig(file: ConfigFile, configPath: string, issues: ErrorDetail[]): Config {
  const configDir = dirname(configPath);
  const database = file.database === undefined ? undefined : buildDatabase(file.database, configDir, issues);
  return {
    configPath,
    configDir,
    dataDir: resolveFilePath(configDir, file.dataDir ?? DEFAULT_DATA_DIR),
    registries: buildRegistries(file, configDir, issues),
    storage: selectStorage(file.storage, database, configDir, issues),
    ...(database === undefined ? {} : { database }),
    server: buildServer(file.server, issues),
  };
}
