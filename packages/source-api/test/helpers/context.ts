import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { SourceContext, SourceData, SourceEntry, SourceFetchRequest } from '@thv/registry-core';
import { collectEntries } from '@thv/registry-core/host';

/** A source context rooted at `configDir`. Log lines (JSON, debug and up) are collected in `logs`. */
export function sourceContext(configDir: string): SourceContext & { logs: string[] } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return {
    registryName: 'test',
    logger: pino({ level: 'debug' }, sink),
    dataDir: resolve(configDir, 'data'),
    configDir,
    resolvePath: (path) => resolve(configDir, path),
    logs,
  };
}

/** A fetch request with a fresh signal. */
export function fetchRequest(overrides: Partial<SourceFetchRequest> = {}): SourceFetchRequest {
  return { signal: new AbortController().signal, allowUnchanged: true, ...overrides };
}

/** The entries core reads from a fetch result, and the ones it skipped. */
export function entriesOf(data: SourceData): { entries: SourceEntry[]; skipped: number } {
  const collected = collectEntries(data, 'upstream');
  return { entries: collected.entries, skipped: collected.skipped.length };
}

/** `name@version` of an entry. */
export function id(entry: { server: { name: string; version: string } }): string {
  return `${entry.server.name}@${entry.server.version}`;
}
