import { resolve } from 'node:path';
import type { SourceContext, SourceFetchRequest } from '@thv/registry-core';
import { silentLogger } from '@thv/registry-core/testing';

/** The text of a valid server.json for `name` (below `io.github.example/`) at `version`. */
export function serverJson(name: string, version = '1.0.0', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: `io.github.example/${name}`, description: `The ${name} server`, version, ...extra }, null, 2);
}

/** A source context rooted at `configDir`. */
export function sourceContext(configDir: string, overrides: Partial<SourceContext> = {}): SourceContext {
  return {
    registryName: 'test',
    logger: silentLogger(),
    dataDir: resolve(configDir, 'data'),
    configDir,
    resolvePath: (path) => resolve(configDir, path),
    ...overrides,
  };
}

/** A fetch request with a live signal. */
export function fetchRequest(overrides: Partial<SourceFetchRequest> = {}): SourceFetchRequest {
  return { signal: new AbortController().signal, allowUnchanged: true, ...overrides };
}
