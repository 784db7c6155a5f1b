import type { ErrorDetail } from '../errors.js';
import type { FilterConfig, RegistryConfig, SyncPolicy } from '../interfaces/config.js';
import { joinConfigPath } from './config-path.js';
import { readDurationField } from './duration-field.js';
import type { ConfigFile, SourceFile, SyncPolicyFile } from './schema.js';
import { buildSource } from './source.js';

/** Name of the registry in the single-`source:` form when `registryName` is not given. */
const DEFAULT_REGISTRY_NAME = 'default';

const DEFAULT_INTERVAL = '30m';
// Shorter intervals would hammer the source without serving fresher data in any useful way.
const MINIMUM_INTERVAL = { ms: 1000, text: '1s' };
// A sync that runs longer than this is stuck (a source without a timeout of its own): it is
// abandoned and retried. Far above what any sync of a real catalog takes.
const DEFAULT_SYNC_TIMEOUT = '10m';
const MINIMUM_SYNC_TIMEOUT = { ms: 1000, text: '1s' };

/** Keys of the single-registry form, refused beside `registries:`, and where they go instead. */
const SINGLE_FORM_KEYS = {
  registryName: 'give each entry of registries a name',
  source: 'move it into an entry of registries',
  syncPolicy: 'set it on each entry of registries',
  filter: 'set it on each entry of registries',
} as const;

/** What one registry is made of, whichever form it was written in. */
interface RegistryFile {
  readonly name: string;
  readonly source: SourceFile;
  readonly syncPolicy?: SyncPolicyFile;
  readonly filter?: FilterConfig;
}

/**
 * The registries of either form, in the order written. The single form (`registryName`, `source`,
 * `syncPolicy`, `filter` at the top) yields one registry with an empty path; the multi form
 * (`registries:`) one per entry, with unique names. Mixing the two forms is a problem.
 */
export function buildRegistries(file: ConfigFile, configDir: string, issues: ErrorDetail[]): RegistryConfig[] {
  if (file.registries !== undefined) {
    for (const [key, instead] of Object.entries(SINGLE_FORM_KEYS)) {
      if (file[key as keyof typeof SINGLE_FORM_KEYS] !== undefined) {
        issues.push({ path: key, message: `cannot be combined with registries: ${instead}` });
      }
    }
    checkUniqueNames(file.registries, issues);
    return file.registries.map((entry, index) => buildRegistry(entry, `registries[${index}]`, configDir, issues));
  }
  if (file.source === undefined) {
    issues.push({ path: 'source', message: 'is required (or registries, to serve several registries)' });
    return [];
  }
  const single = {
    name: file.registryName ?? DEFAULT_REGISTRY_NAME,
    source: file.source,
    syncPolicy: file.syncPolicy,
    filter: file.filter,
  };
  return [buildRegistry(single, '', configDir, issues)];
}

function buildRegistry(raw: RegistryFile, path: string, configDir: string, issues: ErrorDetail[]): RegistryConfig {
  return {
    name: raw.name,
    path,
    source: buildSource(raw.source, joinConfigPath(path, 'source'), configDir, issues),
    syncPolicy: buildSyncPolicy(raw.syncPolicy, joinConfigPath(path, 'syncPolicy'), issues),
    ...(raw.filter === undefined ? {} : { filter: raw.filter }),
  };
}

function buildSyncPolicy(raw: SyncPolicyFile | undefined, path: string, issues: ErrorDetail[]): SyncPolicy {
  const interval = raw?.interval ?? DEFAULT_INTERVAL;
  const intervalMs = readDurationField(interval, joinConfigPath(path, 'interval'), MINIMUM_INTERVAL, issues);
  const timeout = raw?.timeout ?? DEFAULT_SYNC_TIMEOUT;
  const timeoutMs = readDurationField(timeout, joinConfigPath(path, 'timeout'), MINIMUM_SYNC_TIMEOUT, issues);
  return { interval, intervalMs, timeout, timeoutMs };
}

function checkUniqueNames(entries: readonly { name: string }[], issues: ErrorDetail[]): void {
  const firstPath = new Map<string, string>();
  entries.forEach(({ name }, index) => {
    const path = `registries[${index}].name`;
    const earlier = firstPath.get(name);
    if (earlier === undefined) firstPath.set(name, path);
    else issues.push({ path, message: `duplicate registry name ${JSON.stringify(name)} (also at ${earlier})` });
  });
}
