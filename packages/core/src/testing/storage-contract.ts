import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { StoredEntry } from '../interfaces/model.js';
import type { SyncStatus } from '../interfaces/status.js';
import type { Storage, StorageContext, StoredRegistry } from '../interfaces/storage.js';
import type { StoragePlugin } from '../plugins/define.js';
import { createStorageContext } from './context.js';
import { checkConfigSchema, checkCreate, checkDescriptor } from './descriptor.js';
import { assertContractReport, CheckFailure, CheckRecorder, describeError, type ContractReport } from './report.js';
import { settleWithin } from './settle.js';

/** What {@link checkStoragePlugin} needs besides the plugin. */
export interface StorageContractOptions {
  /** The plugin's block (`storage:` without `type` and `plugin`); it must pass the plugin's schema. */
  config: unknown;
  /**
   * Parts of the context to use instead of the defaults: a silent logger and a temporary directory
   * (removed afterwards) as `configDir`, with `dataDir` inside it, so relative paths land there.
   */
  context?: Partial<StorageContext>;
  /**
   * The registry name written to (default `contract-<random>`). The contract has no delete, so
   * point the plugin at a throwaway store (a temporary directory, a test database).
   */
  registry?: string;
  /** Also check that a second instance, from the same config and context, loads what the first committed. */
  durable?: boolean;
  /** Time limit of each call, in ms (default 30 000). */
  timeoutMs?: number;
}

const STORAGE_METHODS = ['open', 'close', 'load', 'commit', 'saveStatus', 'tryLease', 'releaseLease', 'watch'] as const;
const LEASE_MS = 60_000;

/**
 * Runs a small round trip against a storage plugin and reports every check: `descriptor`,
 * `config schema`, `create` (every `Storage` method there), `open`, `empty load` (nothing stored
 * for a new registry), `commit` (load gives back the entries and status), `commit again` (it
 * replaces, not appends), `saveStatus` (status alone; the entries stay), `lease` (a second holder
 * is refused until the first releases; releasing someone else's lease is a no-op), `watch`
 * (returns an unsubscribe function), `health` (when present), `close`, and `durable` (with
 * `options.durable`). Comparison is of the JSON, as storage keeps JSON.
 *
 * @example
 * const report = await checkStoragePlugin(plugin, { config: { path: './snapshots' }, durable: true });
 * assert.ok(report.ok, formatContractReport(report));
 */
export async function checkStoragePlugin(plugin: unknown, options: StorageContractOptions): Promise<ContractReport> {
  const recorder = new CheckRecorder('storage plugin');
  const descriptor = checkDescriptor(recorder, 'storage', plugin) as StoragePlugin | undefined;
  if (descriptor === undefined) return recorder.report();
  recorder.subject = `storage plugin "${descriptor.type}"`;
  if (!checkConfigSchema(recorder, descriptor.configSchema, options.config, 'storage')) return recorder.report();
  const { context, cleanup } = await createStorageContext(options.context);
  try {
    const storage = await checkCreate<Storage>(recorder, descriptor, options.config, context, STORAGE_METHODS);
    if (storage !== undefined) await roundTrip(recorder, storage, options);
    if (options.durable === true) {
      await recorder.run('durable', async () => {
        const second = await createSecond(descriptor, options.config, context);
        await durable(second, options);
        recorder.add('durable', 'pass', 'a second instance loads what the first one stored');
      });
    }
  } finally {
    await cleanup();
  }
  return recorder.report();
}

/** {@link checkStoragePlugin}, then throws a `PluginContractError` listing the failed checks; else resolves to the report. */
export async function assertStoragePlugin(plugin: unknown, options: StorageContractOptions): Promise<ContractReport> {
  const report = await checkStoragePlugin(plugin, options);
  assertContractReport(report);
  return report;
}

const ENTRY_NAME = 'io.github.thv-registry/contract-check';

async function roundTrip(recorder: CheckRecorder, storage: Storage, options: StorageContractOptions): Promise<void> {
  const registry = registryOf(options);
  const call = <T>(what: string, work: () => Promise<T> | T) => within(what, work, options.timeoutMs);
  try {
    await recorder.run('open', async () => {
      await call('open()', () => storage.open());
      recorder.add('open', 'pass', 'resolved');
    }, true);
    await recorder.run('empty load', async () => {
      const stored = await call('load()', () => storage.load(registry));
      if (stored?.entries !== undefined && stored.entries.length > 0) throw new CheckFailure(`load() of a new registry returned ${stored.entries.length} entries`);
      if (stored?.status !== undefined) throw new CheckFailure('load() of a new registry returned a status');
      if (stored?.entries !== undefined) return recorder.add('empty load', 'warn', 'load() of a new registry returned entries: [] rather than leaving entries out');
      recorder.add('empty load', 'pass', 'nothing stored for a new registry');
    });
    await recorder.run('commit', async () => {
      await call('commit()', () => storage.commit(registry, [sampleEntry('1.0.0')], sampleStatus(1)));
      await expectStored(call, storage, registry, [sampleEntry('1.0.0')], sampleStatus(1));
      recorder.add('commit', 'pass', 'load() gives back the committed entries and status');
    }, true);
    await recorder.run('commit again', async () => {
      const entries = [sampleEntry('1.0.1'), sampleEntry('2.0.0')];
      await call('commit()', () => storage.commit(registry, entries, sampleStatus(2)));
      await expectStored(call, storage, registry, entries, sampleStatus(2));
      recorder.add('commit again', 'pass', 'a second commit replaces the entries and status');
    });
    await recorder.run('saveStatus', async () => {
      const { entries } = await call('load()', () => storage.load(registry));
      await call('saveStatus()', () => storage.saveStatus(registry, sampleStatus(3)));
      await expectStored(call, storage, registry, entries ?? [], sampleStatus(3));
      recorder.add('saveStatus', 'pass', 'load() gives back the new status and the same entries');
    });
    await recorder.run('lease', async () => {
      await checkLease(call, storage, registry);
      recorder.add('lease', 'pass', 'one holder at a time; renew, release and a stranger\'s release behave');
    });
    await recorder.run('watch', async () => {
      const stop = await call('watch()', () => storage.watch(() => {}));
      if (typeof stop !== 'function') throw new CheckFailure(`watch() returned ${typeof stop}, not the function that stops watching`);
      await call('the function watch() returned', () => stop());
      recorder.add('watch', 'pass', 'returned a function that stops watching');
    });
    await recorder.run('health', async () => {
      if (storage.health === undefined) return recorder.add('health', 'pass', 'no health() (optional)');
      const health: unknown = await call('health()', () => storage.health?.());
      if (typeof (health as { healthy?: unknown } | null)?.healthy !== 'boolean') throw new CheckFailure('health() did not return { healthy: boolean, message? }');
      recorder.add('health', 'pass', `healthy: ${String((health as { healthy: boolean }).healthy)}`);
    });
  } finally {
    try {
      await call('close()', () => storage.close());
      recorder.add('close', 'pass', 'resolved');
    } catch (error) {
      recorder.add('close', 'fail', error instanceof CheckFailure ? error.message : `threw ${describeError(error)}`, error);
    }
  }
}

type Call = <T>(what: string, work: () => Promise<T> | T) => Promise<T>;

async function checkLease(call: Call, storage: Storage, registry: string): Promise<void> {
  const expect = async (holder: string, wanted: boolean, when: string) => {
    const got = await call('tryLease()', () => storage.tryLease(registry, holder, LEASE_MS));
    if (got !== wanted) throw new CheckFailure(`tryLease() by ${holder} ${when} returned ${String(got)}, expected ${String(wanted)}`);
  };
  await expect('holder-a', true, 'on a free lease');
  await expect('holder-b', false, 'while holder-a holds it');
  await expect('holder-a', true, 'renewing its own lease');
  await call('releaseLease()', () => storage.releaseLease(registry, 'holder-b'));
  await expect('holder-b', false, 'after holder-b released a lease it did not hold');
  await call('releaseLease()', () => storage.releaseLease(registry, 'holder-a'));
  await expect('holder-b', true, 'after holder-a released it');
  await call('releaseLease()', () => storage.releaseLease(registry, 'holder-b'));
}

async function expectStored(call: Call, storage: Storage, registry: string, entries: readonly StoredEntry[], status: SyncStatus): Promise<void> {
  const stored: StoredRegistry = await call('load()', () => storage.load(registry));
  if (!sameJson(stored?.entries ?? [], entries)) {
    throw new CheckFailure(`load() returned other entries than were committed (${stored?.entries?.length ?? 0} entries, expected ${entries.length})`);
  }
  if (!sameJson(stored?.status, status)) throw new CheckFailure('load() returned another status than was saved');
}

async function createSecond(plugin: StoragePlugin, config: unknown, context: StorageContext): Promise<Storage> {
  return within('create() of a second instance', () => plugin.create(structuredClone(config), context), undefined);
}

async function durable(storage: Storage, options: StorageContractOptions): Promise<void> {
  const registry = registryOf(options);
  const call: Call = (what, work) => within(what, work, options.timeoutMs);
  await call('open() of a second instance', () => storage.open());
  try {
    const stored = await call('load() of a second instance', () => storage.load(registry));
    if (!sameJson(stored?.status, sampleStatus(3)) || (stored?.entries?.length ?? 0) === 0) {
      throw new CheckFailure('a second instance does not load what the first one stored');
    }
  } finally {
    await call('close() of a second instance', () => storage.close());
  }
}

// The registry of one run: fixed per options object, random unless given.
const registries = new WeakMap<StorageContractOptions, string>();
function registryOf(options: StorageContractOptions): string {
  let name = registries.get(options);
  if (name === undefined) {
    name = options.registry ?? `contract-${randomUUID().slice(0, 8)}`;
    registries.set(options, name);
  }
  return name;
}

async function within<T>(what: string, work: () => Promise<T> | T, limitMs = 30_000): Promise<T> {
  const settled = await settleWithin(work, limitMs);
  if (settled.status === 'fulfilled') return settled.value;
  if (settled.status === 'timeout') throw new CheckFailure(`${what} did not settle within ${limitMs} ms`);
  throw new CheckFailure(`${what} rejected with ${describeError(settled.reason)}`, settled.reason);
}

function sameJson(a: unknown, b: unknown): boolean {
  const json = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
  return isDeepStrictEqual(json(a), json(b));
}

function sampleEntry(version: string): StoredEntry {
  return {
    server: { name: ENTRY_NAME, description: 'Written by the storage contract check', version },
    status: 'active',
    publishedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    statusChangedAt: '2026-01-01T00:00:00.000Z',
    contentHash: `sha256:${version}`,
  };
}

function sampleStatus(n: number): SyncStatus {
  return {
    phase: 'Complete',
    message: `contract check ${n}`,
    lastAttempt: `2026-01-0${n}T00:00:00.000Z`,
    lastSuccess: `2026-01-0${n}T00:00:00.000Z`,
    consecutiveFailures: 0,
    fingerprint: `sha256:contract-${n}`,
    serverCount: 1,
    versionCount: n,
    skipped: 0,
    sourceState: { round: n },
  };
}
