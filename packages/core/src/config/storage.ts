import type { ErrorDetail } from '../errors.js';
import type { DatabaseConfig, PluginSelection } from '../interfaces/config.js';
import { joinConfigPath } from './config-path.js';
import { resolvePluginSpecifier } from './resolve-paths.js';
import type { StorageFile } from './schema.js';

/** The storage type a `database:` block selects. */
const DATABASE_STORAGE = 'pg';
/** The embedded default when there is no `database:` block. */
const DEFAULT_STORAGE = 'fs';

/**
 * Chooses the storage plugin. With a `database:` block it is `pg` and receives that block;
 * `storage:` may then only restate `type: pg` and name a `plugin`. Without one, `storage:` picks
 * the plugin (any but `pg`) and its other keys are the plugin's options; absent, the default is `fs`.
 */
export function selectStorage(
  raw: StorageFile | undefined,
  database: DatabaseConfig | undefined,
  configDir: string,
  issues: ErrorDetail[],
): PluginSelection {
  const { type = database === undefined ? DEFAULT_STORAGE : DATABASE_STORAGE, plugin, ...rest } = raw ?? {};
  const pluginPart = plugin === undefined ? {} : { plugin: resolvePluginSpecifier(configDir, plugin) };
  if (database === undefined) {
    if (type === DATABASE_STORAGE) {
      const message = `"${DATABASE_STORAGE}" needs a database block with the connection`;
      issues.push({ path: 'storage.type', message });
    }
    return { type, ...pluginPart, options: rest, optionsPath: 'storage' };
  }
  if (type !== DATABASE_STORAGE) {
    issues.push({
      path: 'storage.type',
      message: `must be "${DATABASE_STORAGE}" when a database block is given (got ${JSON.stringify(type)})`,
    });
  }
  for (const key of Object.keys(rest)) {
    issues.push({
      path: joinConfigPath('storage', key),
      message: `unknown key "${key}": with a database block, PostgreSQL settings belong under database`,
    });
  }
  return { type, ...pluginPart, options: { ...database }, optionsPath: 'database' };
}
