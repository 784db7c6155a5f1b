import type { ErrorDetail } from '../errors.js';
import type { SourceConfig } from '../interfaces/config.js';
import { isPlainObject, joinConfigPath } from './config-path.js';
import { resolvePluginSpecifier } from './resolve-paths.js';
import type { SourceFile } from './schema.js';
import { unknownKeyMessage } from './suggest.js';

/** Keys of `source:` that core reads; the block named by `type` is the plugin's. */
const SOURCE_KEYS = ['type', 'format', 'plugin'] as const;

// Only to word a better message when the block of another shipped type is left behind after
// `type` was changed; any type is still served by whichever plugin provides it.
const SHIPPED_SOURCE_BLOCKS: readonly string[] = ['file', 'git', 'api'];

/**
 * Turns a `source:` block into a plugin selection: `options` is the block named by `type` (`{}`
 * when absent), `optionsPath` its config path. Any other key is recorded as a problem.
 */
export function buildSource(
  raw: SourceFile,
  path: string,
  configDir: string,
  issues: ErrorDetail[],
): SourceConfig {
  const { type } = raw;
  const optionsPath = joinConfigPath(path, type);
  const block = raw[type];
  if (block !== undefined && !isPlainObject(block)) issues.push({ path: optionsPath, message: 'must be object' });
  const known: readonly string[] = [...SOURCE_KEYS, type];
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    issues.push({ path: joinConfigPath(path, key), message: strayKeyMessage(key, type, known) });
  }
  return {
    type,
    ...(raw.format === undefined ? {} : { format: raw.format }),
    ...(raw.plugin === undefined ? {} : { plugin: resolvePluginSpecifier(configDir, raw.plugin) }),
    options: isPlainObject(block) ? block : {},
    optionsPath,
  };
}

function strayKeyMessage(key: string, type: string, known: readonly string[]): string {
  if (SHIPPED_SOURCE_BLOCKS.includes(key)) return `source.${key} is given but source.type is ${JSON.stringify(type)}`;
  return unknownKeyMessage(key, known);
}
