/** Generated catalogs on disk and the registry configs that read them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCatalog, wrappedFile } from './generate.mjs';

/** Name of the one registry every bench config serves. */
export const REGISTRY = 'bench';

/**
 * Generates a size's catalog and writes it as an upstream wrapped file under `workdir`; returns
 * the entries (for the api upstream) and the file.
 */
export function writeCatalog(size, workdir) {
  mkdirSync(workdir, { recursive: true });
  const entries = generateCatalog({ servers: size.servers, versions: size.versions });
  const file = join(workdir, `registry-${size.label}.json`);
  const text = JSON.stringify(wrappedFile(entries));
  writeFileSync(file, text);
  return { entries, file, bytes: Buffer.byteLength(text) };
}

/** A file source block for `file`. */
export function fileSource(file) {
  return { type: 'file', format: 'upstream', file: { path: file, maxBytes: 1024 * 1024 * 1024 } };
}

/** An api source block for an upstream at `endpoint`. */
export function apiSource(endpoint) {
  return { type: 'api', api: { endpoint, maxBytes: 1024 * 1024 * 1024 } };
}

/**
 * Writes `<dir>/config.yaml` (JSON is YAML) for one registry with `source`, stored in fs storage
 * under `<dir>/data` or in the database described by `database`. Syncs once at start, then daily.
 */
export function writeConfig(dir, { source, database }) {
  mkdirSync(dir, { recursive: true });
  const config = {
    registryName: REGISTRY,
    source,
    syncPolicy: { interval: '24h' },
    ...(database === undefined ? { storage: { type: 'fs', path: join(dir, 'data') } } : { database }),
  };
  const path = join(dir, 'config.yaml');
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
