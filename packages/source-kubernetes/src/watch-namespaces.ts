import { ConfigError } from '@thv/registry-core';
import { NAMESPACE_PATTERN } from './config-schema.js';

/** Environment variable with the namespaces to watch (comma-separated) when the block lists none. */
export const WATCH_NAMESPACE_ENV = 'THV_REGISTRY_WATCH_NAMESPACE';

const NAMESPACE = new RegExp(NAMESPACE_PATTERN);

/**
 * The namespaces to watch: the block's `namespaces`, else those of {@link WATCH_NAMESPACE_ENV}
 * (`team-a, team-b`; blanks ignored), else undefined: every namespace. Duplicates are dropped; a
 * name that is not a namespace name (a DNS-1123 label) is a `ConfigError` naming where it is.
 */
export function watchNamespaces(configured: readonly string[] | undefined, env: NodeJS.ProcessEnv): readonly string[] | undefined {
  const fromEnv = configured === undefined;
  const names = configured ?? (env[WATCH_NAMESPACE_ENV] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) return undefined;
  const invalid = names.find((name) => !NAMESPACE.test(name));
  if (invalid !== undefined) {
    const where = fromEnv ? WATCH_NAMESPACE_ENV : 'kubernetes source namespaces';
    throw new ConfigError(`${where} holds "${invalid}", which is not a namespace name (a DNS-1123 label)`);
  }
  return [...new Set(names)];
}
