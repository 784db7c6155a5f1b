import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../interfaces/logger.js';
import type { SourceContext } from '../interfaces/source.js';
import type { StorageContext } from '../interfaces/storage.js';

/** A pino logger that writes nothing: the default logger of every context the kit makes. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A context plus the means to remove the temporary directory made for it. */
export interface TestContext<C> {
  readonly context: C;
  /** Removes the temporary directory, if one was made. Safe to call twice. */
  cleanup(): Promise<void>;
}

/**
 * A {@link SourceContext} for tests. What `overrides` leaves out is filled in: a silent logger,
 * registry name `contract-test`, and a fresh temporary directory that serves as `configDir`, with
 * `dataDir` = `<configDir>/data` (not created, as the loader does not create it either).
 * `resolvePath` resolves against the final `configDir`. Call `cleanup()` when done.
 */
export async function createSourceContext(overrides: Partial<SourceContext> = {}): Promise<TestContext<SourceContext>> {
  const { dirs, cleanup } = await directories(overrides);
  const context: SourceContext = {
    registryName: 'contract-test',
    logger: silentLogger(),
    ...overrides,
    ...dirs,
    resolvePath: overrides.resolvePath ?? ((path) => resolveAgainst(dirs.configDir, path)),
  };
  return { context, cleanup };
}

/** A {@link StorageContext} for tests, filled in as {@link createSourceContext} does. */
export async function createStorageContext(overrides: Partial<StorageContext> = {}): Promise<TestContext<StorageContext>> {
  const { dirs, cleanup } = await directories(overrides);
  const context: StorageContext = {
    logger: silentLogger(),
    ...overrides,
    ...dirs,
    resolvePath: overrides.resolvePath ?? ((path) => resolveAgainst(dirs.configDir, path)),
  };
  return { context, cleanup };
}

// A temporary directory only when a directory is missing, so that a caller giving both leaves no trace.
async function directories(given: { configDir?: string; dataDir?: string }) {
  let temp: string | undefined;
  if (given.configDir === undefined || given.dataDir === undefined) {
    temp = await mkdtemp(join(tmpdir(), 'thv-registry-contract-'));
  }
  const configDir = given.configDir ?? (temp as string);
  const dataDir = given.dataDir ?? join(temp as string, 'data');
  const cleanup = async () => {
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  };
  return { dirs: { configDir, dataDir }, cleanup };
}

function resolveAgainst(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
