import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { SourceContext, SourceFetchRequest } from '@thv/registry-core';

/** One log line, parsed. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** pino's level numbers. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** Log lines collected from a logger, with a way to wait for one. */
export class LogCapture {
  /** Every line so far, parsed. */
  readonly lines: LogLine[] = [];
  readonly #waiters = new Set<() => void>();

  /** A writable stream for pino. */
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') this.lines.push(JSON.parse(line) as LogLine);
      for (const wake of [...this.#waiters]) wake();
      done();
    },
  });

  /** The lines of at least `level` (default warn). */
  atLeast(level: number = LEVEL.warn): LogLine[] {
    return this.lines.filter((line) => line.level >= level);
  }

  /** Resolves with the first line (already logged or to come) that `predicate` accepts. */
  async waitFor(predicate: (line: LogLine) => boolean): Promise<LogLine> {
    for (;;) {
      const found = this.lines.find(predicate);
      if (found !== undefined) return found;
      await new Promise<void>((wake) => {
        const once = (): void => {
          this.#waiters.delete(once);
          wake();
        };
        this.#waiters.add(once);
      });
    }
  }
}

/** A source context rooted at `configDir` whose logger (debug and up) writes to `logs`. */
export function sourceContext(configDir: string): SourceContext & { logs: LogCapture } {
  const logs = new LogCapture();
  return {
    registryName: 'test',
    logger: pino({ level: 'debug' }, logs.stream),
    dataDir: resolve(configDir, 'data'),
    configDir,
    resolvePath: (path) => resolve(configDir, path),
    logs,
  };
}

/** A fetch request with a fresh signal. */
export function fetchRequest(overrides: Partial<SourceFetchRequest> = {}): SourceFetchRequest {
  return { signal: new AbortController().signal, allowUnchanged: false, ...overrides };
}
