import { resolve } from 'node:path';
import { pino } from 'pino';
import type { Logger, SourceContext, SourceFetchRequest, SourceHandler } from '@thv/registry-core';
import plugin from '../src/index.js';

/** Log lines written by a {@link capturingLogger}. */
export type LogLines = string[];

/** A debug-level logger that keeps every line it writes in `lines`. */
export function capturingLogger(lines: LogLines = []): { logger: Logger; lines: LogLines } {
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/** A source context rooted at `configDir` (data in `<configDir>/data`), with a silent logger. */
export function sourceContext(configDir: string, dataDir = resolve(configDir, 'data'), logger?: Logger): SourceContext {
  return {
    registryName: 'test',
    logger: logger ?? pino({ level: 'silent' }),
    dataDir,
    configDir,
    resolvePath: (path) => resolve(configDir, path),
  };
}

/** A fetch request with a fresh signal. */
export function fetchRequest(overrides: Partial<SourceFetchRequest> = {}): SourceFetchRequest {
  return { signal: new AbortController().signal, allowUnchanged: true, ...overrides };
}

/** Creates a git source from a `source.git` block. */
export async function createSource(
  config: Record<string, unknown>,
  configDir: string,
  dataDir?: string,
  logger?: Logger,
): Promise<SourceHandler> {
  return plugin.create(config as never, sourceContext(configDir, dataDir, logger));
}

/** A small ToolHive-format registry document; `n` makes each one different. */
export function registryDocument(n = 1): Record<string, unknown> {
  return { version: `1.0.${n}`, last_updated: '2025-01-01T00:00:00Z', servers: {} };
}

/** The document as the JSON text committed to a repository. */
export function registryText(n = 1): string {
  return `${JSON.stringify(registryDocument(n), null, 2)}\n`;
}
