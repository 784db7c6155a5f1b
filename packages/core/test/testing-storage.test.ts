import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import fsStorage from '@thv/registry-storage-fs';
import type { StoredRegistry, Storage } from '../src/interfaces/storage.js';
import { defineStoragePlugin, type StoragePlugin } from '../src/plugins/define.js';
import {
  checkStoragePlugin,
  createSourceContext,
  createStorageContext,
  formatContractReport,
  type ContractReport,
} from '../src/testing/index.js';

function check(report: ContractReport, name: string) {
  return report.checks.find((c) => c.name === name);
}

/** The in-memory storage of the README, with parts replaced by `overrides` to break it. */
function memoryStoragePlugin(overrides: (storage: Storage) => Partial<Storage> = () => ({})): StoragePlugin {
  return defineStoragePlugin({
    type: 'memory',
    configSchema: { type: 'object', additionalProperties: false, properties: {} },
    create() {
      const data = new Map<string, StoredRegistry>();
      const leases = new Map<string, { holder: string; until: number }>();
      const storage: Storage = {
        async open() {},
        async close() {},
        async load(registry) {
          return { ...data.get(registry) };
        },
        async commit(registry, entries, status) {
          data.set(registry, { entries: [...entries], status });
        },
        async saveStatus(registry, status) {
          data.set(registry, { ...data.get(registry), status });
        },
        async tryLease(registry, holder, ttlMs) {
          const lease = leases.get(registry);
          if (lease !== undefined && lease.holder !== holder && lease.until > Date.now()) return false;
          leases.set(registry, { holder, until: Date.now() + ttlMs });
          return true;
        },
        async releaseLease(registry, holder) {
          if (leases.get(registry)?.holder === holder) leases.delete(registry);
        },
        watch() {
          return () => {};
        },
      };
      return Object.assign(storage, overrides(storage));
    },
  }) as StoragePlugin;
}

t.test('the built-in fs storage keeps the contract and is durable', async (t) => {
  const report = await checkStoragePlugin(fsStorage, { config: { path: './snapshots' }, durable: true });
  t.ok(report.ok, formatContractReport(report));
  t.same(report.warnings, []);
  t.same(
    report.checks.map((c) => c.name),
    ['descriptor', 'config schema', 'create', 'open', 'empty load', 'commit', 'commit again', 'saveStatus', 'lease', 'watch', 'health', 'close', 'durable'],
  );
  t.equal(report.subject, 'storage plugin "fs"');
});

t.test('the fs storage writes where the given context says, under the given registry name', async (t) => {
  const dir = t.testdir();
  const report = await checkStoragePlugin(fsStorage, { config: {}, context: { configDir: dir, dataDir: join(dir, 'data') }, registry: 'contract' });
  t.ok(report.ok, formatContractReport(report));
  t.ok(existsSync(join(dir, 'data')), 'the data directory was used and is kept');
  t.ok((await readdir(join(dir, 'data'), { recursive: true })).includes(join('registries', 'contract', 'snapshot.json')));
});

t.test('a memory storage keeps the contract but is not durable', async (t) => {
  const report = await checkStoragePlugin(memoryStoragePlugin(), { config: {}, durable: true });
  t.same(report.failures.map((c) => c.name), ['durable']);
  t.equal(check(report, 'durable')?.message, 'a second instance does not load what the first one stored');
  t.ok((await checkStoragePlugin(memoryStoragePlugin(), { config: {} })).ok);
});

t.test('broken storage is reported check by check', async (t) => {
  const cases: Array<[string, (storage: Storage) => Partial<Storage>, string, string | RegExp]> = [
    ['lease always granted', () => ({ tryLease: async () => true }), 'lease', 'tryLease() by holder-b while holder-a holds it returned true, expected false'],
    [
      'release by anyone',
      () => {
        const held = new Map<string, string>();
        return {
          tryLease: async (registry, holder) => {
            if ((held.get(registry) ?? holder) !== holder) return false;
            held.set(registry, holder);
            return true;
          },
          releaseLease: async (registry) => void held.delete(registry),
        };
      },
      'lease',
      'tryLease() by holder-b after holder-b released a lease it did not hold returned true, expected false',
    ],
    [
      'commit appends',
      (s) => ({
        commit: async (registry, entries, status) => {
          const before = (await s.load(registry)).entries ?? [];
          appended.set(registry, { entries: [...before, ...entries], status });
        },
        load: async (registry) => ({ ...appended.get(registry) }),
        saveStatus: async () => {},
      }),
      'commit again',
      'load() returned other entries than were committed (3 entries, expected 2)',
    ],
    ['status lost', (s) => ({ saveStatus: async () => {}, load: s.load }), 'saveStatus', 'load() returned another status than was saved'],
    ['watch without unsubscribe', () => ({ watch: () => undefined as never }), 'watch', 'watch() returned undefined, not the function that stops watching'],
    ['bad health', () => ({ health: () => ({ ok: true }) as never }), 'health', 'health() did not return { healthy: boolean, message? }'],
    ['close rejects', () => ({ close: () => Promise.reject(new Error('busy')) }), 'close', 'close() rejected with Error: busy'],
    ['load hangs', () => ({ load: () => new Promise(() => {}) }), 'empty load', 'load() did not settle within 50 ms'],
  ];
  const appended = new Map<string, StoredRegistry>();
  for (const [label, overrides, name, message] of cases) {
    const report = await checkStoragePlugin(memoryStoragePlugin(overrides), { config: {}, timeoutMs: 50 });
    t.match(check(report, name), { outcome: 'fail', message }, label);
    t.notOk(report.ok, label);
  }
});

t.test('a new registry with entries: [] is a warning; an open that fails stops the run', async (t) => {
  const empty = await checkStoragePlugin(memoryStoragePlugin(() => ({ load: async () => ({ entries: [] }) })), { config: {} });
  t.match(check(empty, 'empty load'), { outcome: 'warn', message: 'load() of a new registry returned entries: [] rather than leaving entries out' });

  const closed: string[] = [];
  const failing = memoryStoragePlugin(() => ({
    open: () => Promise.reject(new Error('database is down')),
    close: async () => void closed.push('closed'),
  }));
  const report = await checkStoragePlugin(failing, { config: {} });
  t.match(check(report, 'open'), { outcome: 'fail', message: 'open() rejected with Error: database is down' });
  t.equal(check(report, 'commit')?.outcome, 'skip');
  t.same(closed, ['closed'], 'close is still called');
});

t.test('descriptor, schema and create are checked as for sources', async (t) => {
  const source = await createSourceContext();
  t.teardown(source.cleanup);
  const report = await checkStoragePlugin({ ...memoryStoragePlugin(), kind: 'source' }, { config: {} });
  t.match(check(report, 'descriptor')?.message, 'kind is "source", not "storage"');
  const schema = await checkStoragePlugin(memoryStoragePlugin(), { config: { path: 'x' } });
  t.match(check(schema, 'config schema')?.message, /^rejects the given config: storage\.path: unknown key/);
  const missing = await checkStoragePlugin(memoryStoragePlugin(() => ({ watch: undefined as never, saveStatus: 1 as never })), { config: {} });
  t.match(check(missing, 'create')?.message, 'returned an object without saveStatus, watch');
});

t.test('contexts: defaults in a temporary directory that cleanup removes', async (t) => {
  const { context, cleanup } = await createStorageContext();
  t.ok(existsSync(context.configDir));
  t.equal(context.dataDir, join(context.configDir, 'data'));
  t.equal(context.resolvePath('x/y'), join(context.configDir, 'x', 'y'));
  t.equal(context.resolvePath('/abs'), '/abs');
  await cleanup();
  await cleanup();
  t.notOk(existsSync(context.configDir));

  const dir = t.testdir();
  const given = await createSourceContext({ configDir: dir, dataDir: join(dir, 'd'), registryName: 'r' });
  t.match(given.context, { configDir: dir, dataDir: join(dir, 'd'), registryName: 'r' });
  await given.cleanup();
  t.ok(existsSync(dir), 'a given directory is never removed');
});
