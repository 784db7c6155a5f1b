import type { DatabaseConfig } from '@thv/registry-core/host';
import { readFileSync } from 'node:fs';
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXAMPLES_DIR } from './cli.js';

/** Name every sample ToolHive entry gets once converted: `io.github.stacklok/<key>`. */
export const TOOLHIVE_PREFIX = 'io.github.stacklok/';

/** The `_meta` key of the registry's own fields on a served entry. */
export const OFFICIAL = 'io.modelcontextprotocol.registry/official';

/** Copies `examples/<name>` into `dir`; returns the copy's path. */
export async function copyExample(dir: string, name: string, as = name): Promise<string> {
  const target = join(dir, as);
  await copyFile(join(EXAMPLES_DIR, name), target);
  return target;
}

/** Writes `text` as `<dir>/<name>` (default config.yaml); returns its path. */
export async function writeConfig(dir: string, text: string, name = 'config.yaml'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** A single-registry config reading a file source, with a 1 s sync interval by default. */
export function fileSourceConfig(options: { registry?: string; path?: string; interval?: string; extra?: string } = {}): string {
  return [
    `registryName: ${options.registry ?? 'example'}`,
    'source:',
    '  type: file',
    '  format: toolhive',
    '  file:',
    `    path: ${options.path ?? './registry.json'}`,
    'syncPolicy:',
    `  interval: ${options.interval ?? '1s'}`,
    ...(options.extra === undefined ? [] : [options.extra]),
    '',
  ].join('\n');
}

/**
 * Replaces a file the way an editor or a deploy does it: write a sibling, then rename over it,
 * so a sync never reads it half written.
 */
export async function replaceFile(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** A ToolHive legacy document (as examples/registry.json). */
export interface ToolhiveDocument {
  servers: Record<string, Record<string, unknown>>;
  remote_servers?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** A fresh copy of examples/registry.json, parsed. */
export function sampleRegistry(): ToolhiveDocument {
  return JSON.parse(readFileSync(join(EXAMPLES_DIR, 'registry.json'), 'utf8')) as ToolhiveDocument;
}

/** The sample registry plus container servers `keys`, each a copy of acme-postgres under a new name. */
export function sampleRegistryWith(...keys: string[]): ToolhiveDocument {
  const document = sampleRegistry();
  const template = document.servers['acme-postgres'];
  if (template === undefined) throw new Error('examples/registry.json has no acme-postgres');
  for (const key of keys) {
    document.servers[key] = { ...template, title: `Added ${key}`, description: `A server added to the registry file: ${key}` };
  }
  return document;
}

/** A sync status as storage-fs writes it. */
export interface StatusFile {
  phase: 'Syncing' | 'Complete' | 'Failed';
  message?: string;
  lastAttempt?: string;
  lastSuccess?: string;
  consecutiveFailures: number;
  serverCount: number;
  versionCount: number;
  [field: string]: unknown;
}

/** `<dataDir>/registries/<registry>`, where storage-fs keeps a registry's files. */
export function registryStorageDir(dataDir: string, registry: string): string {
  return join(dataDir, 'registries', encodeURIComponent(registry));
}

/** The registry's `status.json`, or undefined while there is none. */
export async function readStatus(dataDir: string, registry: string): Promise<StatusFile | undefined> {
  try {
    return JSON.parse(await readFile(join(registryStorageDir(dataDir, registry), 'status.json'), 'utf8')) as StatusFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** `database:` as YAML (JSON scalars are YAML). */
export function databaseBlock(config: DatabaseConfig): string {
  const fields = { host: config.host, port: config.port, user: config.user, database: config.database, sslMode: 'disable', passwordFile: config.passwordFile };
  const lines = Object.entries(fields).filter(([, value]) => value !== undefined).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
  return ['database:', ...lines].join('\n');
}
