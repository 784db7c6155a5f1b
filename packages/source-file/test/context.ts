import { resolve } from 'node:path';
import { pino } from 'pino';
import type { SourceContext, SourceFetchRequest } from '@thv/registry-core';

/** A source context rooted at `configDir`, with a silent logger. */
export function sourceContext(configDir: string): SourceContext {
  return {
    registryName: 'test',
    logger: pino({ level: 'silent' }),
    dataDir: resolve(configDir, 'data'),
    configDir,
    resolvePath: (path) => resolve(configDir, path),
  };
}

/** A fetch request with a fresh signal. */
export function fetchRequest(overrides: Partial<SourceFetchRequest> = {}): SourceFetchRequest {
  return { signal: new AbortController().signal, allowUnchanged: true, ...overrides };
}
