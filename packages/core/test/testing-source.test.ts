import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import fileSource from '@thv/registry-source-file';
import { AbortedError, PluginContractError, SourceError } from '../src/errors.js';
import type { SourceEntry } from '../src/interfaces/model.js';
import type { SourceFetchRequest, SourceFetchResult, SourceHandler } from '../src/interfaces/source.js';
import { defineSourcePlugin, type SourcePlugin } from '../src/plugins/define.js';
import {
  assertSourcePlugin,
  checkSourcePlugin,
  formatContractReport,
  type ContractReport,
  type SourceContractOptions,
} from '../src/testing/index.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url);

/** The data behind a {@link memorySourcePlugin}: tests change it to mutate or break the source. */
interface MemoryStore {
  servers: unknown[];
  broken: boolean;
}

/** A valid server.json. */
function server(name: string, version = '1.0.0'): Record<string, unknown> {
  return { name: `io.github.example/${name}`, description: `The ${name} server`, version };
}

/** A fresh store with two servers. */
function memoryStore(): MemoryStore {
  return { servers: [server('alpha'), server('beta')], broken: false };
}

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { label: { type: 'string', minLength: 1 } },
} as const;

/**
 * A well-behaved source plugin of type `memory` over `store`, delivering its servers as entries.
 * `overrides` replace parts of the handler it creates, to make broken variants.
 */
function memorySourcePlugin(store: MemoryStore, overrides: Partial<SourceHandler> = {}): SourcePlugin {
  return defineSourcePlugin<typeof configSchema, { label?: string }>({
    type: 'memory',
    configSchema,
    create: (config) => ({
      describe: () => `memory ${config.label ?? 'store'}`,
      fetch: (request) => memoryFetch(store, request),
      ...overrides,
    }),
  }) as SourcePlugin;
}

/** The good fetch: aborted → AbortedError, broken → SourceError, same data → unchanged when allowed. */
async function memoryFetch(store: MemoryStore, request: SourceFetchRequest): Promise<SourceFetchResult> {
  if (request.signal.aborted) throw new AbortedError('memory fetch aborted');
  if (store.broken) throw new SourceError('memory store is broken');
  const fingerprint = `sha256:${createHash('sha256').update(JSON.stringify(store.servers)).digest('hex')}`;
  if (request.allowUnchanged && request.previous?.fingerprint === fingerprint) return { unchanged: true };
  return { entries: store.servers.map((value) => ({ server: structuredClone(value) as SourceEntry['server'] })), fingerprint };
}

/** Outcome of each check by name, e.g. `{ descriptor: 'pass', abort: 'fail' }`. */
function outcomes(report: ContractReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.name, check.outcome]));
}

function check(report: ContractReport, name: string) {
  return report.checks.find((c) => c.name === name);
}

function withHooks(store: MemoryStore): SourceContractOptions {
  return {
    config: { label: 'test' },
    mutate: () => void store.servers.push(server('gamma')),
    breakIt: () => void (store.broken = true),
  };
}

t.test('a good plugin keeps the contract', async (t) => {
  const store = memoryStore();
  const report = await checkSourcePlugin(memorySourcePlugin(store), withHooks(store));
  t.ok(report.ok, formatContractReport(report));
  t.equal(report.subject, 'source plugin "memory"');
  t.same(outcomes(report), {
    descriptor: 'pass',
    'config schema': 'pass',
    create: 'pass',
    describe: 'pass',
    'first fetch': 'pass',
    unchanged: 'pass',
    forced: 'pass',
    abort: 'pass',
    mutate: 'pass',
    broken: 'pass',
    close: 'pass',
  });
  t.same(report.warnings, []);
  t.equal(report.collected?.entries.length, 2, 'the first fetch as a sync would see it');
  t.equal(report.data?.entries?.length, 2);
  t.match(check(report, 'abort')?.message, /^rejected in \d+ ms with AbortedError \[THV_ERR_ABORTED\]: memory fetch aborted$/);
  t.equal(check(report, 'broken')?.message, 'rejected with SourceError [THV_ERR_SOURCE]: memory store is broken');
  t.match(formatContractReport(report), /^source plugin "memory": contract kept\n {2}ok {3}descriptor: kind source, type "memory", plugin API 1\n/);
});

t.test('without hooks, mutate and broken are skipped', async (t) => {
  const report = await checkSourcePlugin(memorySourcePlugin(memoryStore()), { config: {} });
  t.ok(report.ok);
  t.match(check(report, 'mutate'), { outcome: 'skip', message: 'no mutate() hook given' });
  t.match(check(report, 'broken'), { outcome: 'skip', message: 'no breakIt() hook given' });
});

t.test('a module namespace is accepted in place of its default export', async (t) => {
  const report = await checkSourcePlugin({ default: memorySourcePlugin(memoryStore()) }, { config: {} });
  t.ok(report.ok, formatContractReport(report));
});

t.test('descriptor problems stop the run', async (t) => {
  const good = memorySourcePlugin(memoryStore());
  const notAPlugin = await checkSourcePlugin(42, { config: {} });
  t.same(outcomes(notAPlugin), { descriptor: 'fail' });
  t.match(check(notAPlugin, 'descriptor')?.message, 'expected the plugin object (export default defineSourcePlugin({ … })), got number');

  const wrong = await checkSourcePlugin({ ...good, kind: 'storage', apiVersion: 2 }, { config: {} });
  t.notOk(wrong.ok);
  t.equal(
    check(wrong, 'descriptor')?.message,
    'kind is "storage", not "source"; apiVersion is 2; this core supports 1 (make it with defineSourcePlugin())',
  );

  const plain = await checkSourcePlugin({ ...good }, { config: {} });
  t.ok(plain.ok, 'a hand-made descriptor works');
  t.match(check(plain, 'descriptor'), { outcome: 'warn', message: /not frozen: was it made with defineSourcePlugin\(\)\?$/ });

  const upper = await checkSourcePlugin(Object.freeze({ ...good, type: 'Memory' }), { config: {} });
  t.match(check(upper, 'descriptor'), { outcome: 'warn', message: /cannot be part of a package name/ });
});

t.test('the config must pass the plugin schema, which must compile', async (t) => {
  const plugin = memorySourcePlugin(memoryStore());
  const rejected = await checkSourcePlugin(plugin, { config: { label: '', colour: 'red' } });
  t.same(outcomes(rejected), { descriptor: 'pass', 'config schema': 'fail' });
  t.match(check(rejected, 'config schema')?.message, /^rejects the given config: source\.memory\.colour: unknown key/);
  t.match(check(rejected, 'config schema')?.message, 'source.memory.label: must NOT have fewer than 1 characters');

  const broken = defineSourcePlugin({ type: 'memory', configSchema: { type: 'wat' } as never, create: plugin.create });
  const report = await checkSourcePlugin(broken, { config: {} });
  t.match(check(report, 'config schema')?.message, /^the schema does not compile: Error: /);
});

t.test('create must give fetch and describe', async (t) => {
  const missing = memorySourcePlugin(memoryStore(), { describe: undefined as never });
  const report = await checkSourcePlugin(missing, { config: {} });
  t.match(check(report, 'create'), { outcome: 'fail', message: 'returned an object without describe' });
  t.equal(report.checks.length, 3, 'nothing runs after create');

  const throwing = defineSourcePlugin({
    type: 'memory',
    configSchema: {},
    create: () => {
      throw new Error('no');
    },
  });
  t.match(check(await checkSourcePlugin(throwing, { config: {} }), 'create')?.message, 'threw Error: no');
});

t.test('describe must be a non-empty text; the run goes on', async (t) => {
  const report = await checkSourcePlugin(memorySourcePlugin(memoryStore(), { describe: () => ' ' }), { config: {} });
  t.match(check(report, 'describe'), { outcome: 'fail', message: 'returned " "; expected a short non-empty text such as "dir /srv/servers"' });
  t.equal(check(report, 'first fetch')?.outcome, 'pass');
});

t.test('a first fetch that cannot be used stops the run', async (t) => {
  const cases: Array<[string, SourcePlugin, string | RegExp]> = [
    ['no fingerprint', memorySourcePlugin(memoryStore(), { fetch: async () => ({ entries: [], fingerprint: '' }) }), 'fingerprint is not a non-empty string'],
    ['no data', memorySourcePlugin(memoryStore(), { fetch: async () => ({ fingerprint: 'x' }) }), 'neither documents nor entries is set'],
    ['unchanged', memorySourcePlugin(memoryStore(), { fetch: async () => ({ unchanged: true }) }), 'answered { unchanged: true } where data was needed'],
    ['not an object', memorySourcePlugin(memoryStore(), { fetch: async () => 'data' as never }), 'fetch resolved to string data, not a fetch result'],
    ['bad entries', memorySourcePlugin(memoryStore(), { fetch: async () => ({ entries: [null as never], fingerprint: 'x' }) }), 'entries holds an item that is not { server, official? }'],
    ['bad mode', memorySourcePlugin(memoryStore(), { fetch: async () => ({ entries: [], fingerprint: 'x', mode: 'all' as never }) }), 'mode is neither "full" nor "delta"'],
    ['state not JSON', memorySourcePlugin(memoryStore(), { fetch: async () => ({ entries: [], fingerprint: 'x', state: new Date() as never }) }), 'state is not plain JSON, so it would not survive storage'],
    ['unknown format', memorySourcePlugin(memoryStore(), { fetch: async () => ({ documents: [{ hello: 1 }], fingerprint: 'x' }) }), /^core cannot read what it delivered: FormatError \[THV_ERR_FORMAT\]: /],
    ['rejects', memorySourcePlugin(memoryStore(), { fetch: () => Promise.reject(new SourceError('down')) }), 'fetch rejected with SourceError [THV_ERR_SOURCE]: down'],
    [
      'throws synchronously',
      memorySourcePlugin(memoryStore(), {
        fetch: () => {
          throw new TypeError('oops');
        },
      }),
      'fetch rejected with TypeError: oops',
    ],
  ];
  for (const [name, plugin, message] of cases) {
    const report = await checkSourcePlugin(plugin, { config: {} });
    t.match(check(report, 'first fetch'), { outcome: 'fail', message }, name);
    t.same(
      report.checks.filter((c) => c.outcome === 'skip').map((c) => c.name),
      ['unchanged', 'forced', 'abort', 'mutate', 'broken'],
      `${name}: the fetch checks are skipped`,
    );
    t.equal(check(report, 'close')?.outcome, 'pass', `${name}: close still runs`);
  }
});

t.test('a first fetch that hangs fails after timeoutMs', async (t) => {
  const plugin = memorySourcePlugin(memoryStore(), { fetch: () => new Promise(() => {}) });
  const report = await checkSourcePlugin(plugin, { config: {}, timeoutMs: 50 });
  t.match(check(report, 'first fetch'), { outcome: 'fail', message: 'fetch did not settle within 50 ms' });
});

t.test('invalid entries are a warning: core skips them', async (t) => {
  const store = memoryStore();
  store.servers.push({ name: 'io.github.example/bad', version: '1.0.0' }, { name: 'io.github.example/bad2', version: '1.0.0' });
  const report = await checkSourcePlugin(memorySourcePlugin(store), { config: {} });
  t.ok(report.ok);
  t.match(check(report, 'first fetch'), {
    outcome: 'warn',
    message: /^0 documents and 4 entries → 2 valid entries, fingerprint sha256:\S+; core would skip 2: io\.github\.example\/bad: .*description/,
  });
  t.equal(report.collected?.skipped.length, 2);
});

t.test('equal data needs an equal fingerprint', async (t) => {
  let n = 0;
  const plugin = memorySourcePlugin(memoryStore(), { fetch: async () => ({ entries: [], fingerprint: `fp-${(n += 1)}` }) });
  const report = await checkSourcePlugin(plugin, { config: {} });
  t.match(check(report, 'unchanged'), { outcome: 'fail', message: 'nothing changed, yet the fingerprint did (fp-1 → fp-2): equal data must have equal fingerprints' });
  t.match(check(report, 'forced'), { outcome: 'warn', message: 'the same data got another fingerprint (fp-1 → fp-3), so every sync commits again' });
});

t.test('unchanged must not be the answer to a forced fetch', async (t) => {
  const store = memoryStore();
  const plugin = memorySourcePlugin(store, {
    fetch: (request) => memoryFetch(store, request.previous === undefined ? request : { ...request, allowUnchanged: true }),
  });
  const report = await checkSourcePlugin(plugin, { config: {} });
  t.match(check(report, 'forced'), {
    outcome: 'fail',
    message: 'answered { unchanged: true } where data was needed (allowUnchanged: false asks for the full data)',
  });
});

t.test('an aborted signal must make fetch reject promptly', async (t) => {
  const store = memoryStore();
  const ignores = memorySourcePlugin(store, { fetch: (request) => memoryFetch(store, { ...request, signal: new AbortController().signal }) });
  t.match(check(await checkSourcePlugin(ignores, { config: {} }), 'abort'), {
    outcome: 'fail',
    message: 'fetch resolved although its signal was already aborted; check signal.aborted or pass the signal to your I/O',
  });

  const hangs = memorySourcePlugin(store, {
    fetch: (request) => (request.signal.aborted ? new Promise(() => {}) : memoryFetch(store, request)),
  });
  t.match(check(await checkSourcePlugin(hangs, { config: {}, abortTimeoutMs: 50 }), 'abort'), {
    outcome: 'fail',
    message: 'fetch with an aborted signal did not settle within 50 ms',
  });

  const domAbort = memorySourcePlugin(store, {
    fetch: (request) => {
      request.signal.throwIfAborted();
      return memoryFetch(store, request);
    },
  });
  t.match(check(await checkSourcePlugin(domAbort, { config: {} }), 'abort'), {
    outcome: 'pass',
    message: /^rejected in \d+ ms with AbortError: .+ \(an AbortedError from @thv\/registry-core says best what happened\)$/,
  });
});

t.test('mutate must change the fingerprint', async (t) => {
  const store = memoryStore();
  const blind = memorySourcePlugin(store, { fetch: async () => ({ entries: [], fingerprint: 'constant' }) });
  const report = await checkSourcePlugin(blind, { ...withHooks(store), breakIt: undefined });
  t.match(check(report, 'mutate'), { outcome: 'fail', message: 'the fingerprint stayed constant after mutate() changed the data' });

  const lazy = memorySourcePlugin(store, {
    fetch: (request) => (request.previous === undefined || !request.allowUnchanged ? memoryFetch(store, request) : Promise.resolve({ unchanged: true as const })),
  });
  t.match(check(await checkSourcePlugin(lazy, { config: {}, mutate: () => void store.servers.pop() }), 'mutate'), {
    outcome: 'fail',
    message: 'answered { unchanged: true } after mutate() changed the data',
  });

  const failingHook = await checkSourcePlugin(memorySourcePlugin(memoryStore()), {
    config: {},
    mutate: () => {
      throw new Error('cannot write');
    },
  });
  t.match(check(failingHook, 'mutate'), { outcome: 'fail', message: 'the mutate() hook itself threw Error: cannot write' });
});

t.test('a broken source must reject with a readable error', async (t) => {
  async function broken(fetchError: () => Promise<never>, breakIt?: () => void) {
    const store = memoryStore();
    const plugin = memorySourcePlugin(store, {
      fetch: (request) => (store.broken ? fetchError() : memoryFetch(store, request)),
    });
    const report = await checkSourcePlugin(plugin, { config: {}, breakIt: breakIt ?? (() => void (store.broken = true)) });
    return check(report, 'broken');
  }
  t.match(await broken(() => Promise.reject(new TypeError('fetch failed'))), {
    outcome: 'warn',
    message: 'rejected with TypeError: fetch failed; throw a SourceError so it is reported as a source failure (THV_ERR_SOURCE)',
  });
  const withStack = new Error('x');
  t.match(await broken(() => Promise.reject(new SourceError(`failed: ${withStack.stack ?? ''}`))), {
    outcome: 'fail',
    message: 'rejected with SourceError whose message holds a stack trace; the message reaches the status route and logs',
  });
  t.match(await broken(() => Promise.reject(new SourceError(''))), { outcome: 'fail', message: 'rejected with SourceError with an empty message' });
  t.match(await broken(() => Promise.reject('down' as never)), { outcome: 'fail', message: 'rejected with a non-Error value (string: down); reject with an Error' });

  const store = memoryStore();
  const report = await checkSourcePlugin(memorySourcePlugin(store), { config: {}, breakIt: () => {} });
  t.match(check(report, 'broken'), { outcome: 'fail', message: 'fetch resolved after breakIt(); a source that cannot deliver must reject' });
});

t.test('close must resolve', async (t) => {
  const plugin = memorySourcePlugin(memoryStore(), { close: () => Promise.reject(new Error('busy')) });
  const report = await checkSourcePlugin(plugin, { config: {} });
  t.match(check(report, 'close'), { outcome: 'fail', message: 'rejected with Error: busy' });
  t.notOk(report.ok);
});

t.test('assertSourcePlugin throws a PluginContractError listing the failures', async (t) => {
  const store = memoryStore();
  const report = await assertSourcePlugin(memorySourcePlugin(store), { config: {} });
  t.ok(report.ok, 'resolves to the report when the contract is kept');

  const plugin = memorySourcePlugin(store, { describe: () => '', close: () => Promise.reject(new Error('busy')) });
  const error = await assertSourcePlugin(plugin, { config: {} }).catch((e: unknown) => e);
  t.type(error, PluginContractError);
  t.match((error as Error).message, /^source plugin "memory": 2 failed, 0 warnings\n/);
  t.match((error as Error).message, '\n  FAIL describe: returned ""');
  t.same((error as PluginContractError).errors, [
    { path: 'describe', message: 'returned ""; expected a short non-empty text such as "dir /srv/servers"' },
    { path: 'close', message: 'rejected with Error: busy' },
  ]);
});

t.test('the built-in file source keeps the contract', async (t) => {
  const dir = t.testdir({ 'registry.json': await readFile(new URL('registry.json', EXAMPLES), 'utf8') });
  const path = join(dir, 'registry.json');
  const report = await checkSourcePlugin(fileSource, {
    config: { path: './registry.json' },
    context: { configDir: dir },
    mutate: async () => {
      const document = JSON.parse(await readFile(path, 'utf8')) as { last_updated: string };
      await writeFile(path, JSON.stringify({ ...document, last_updated: '2030-01-01T00:00:00Z' }));
    },
    breakIt: () => rm(path),
  });
  t.ok(report.ok, formatContractReport(report));
  t.same(report.warnings, []);
  t.equal(report.collected?.entries.length, 12);
  t.equal(check(report, 'describe')?.message, JSON.stringify(`file ${path}`));
  t.equal(check(report, 'broken')?.message, `rejected with SourceError [THV_ERR_SOURCE]: registry file not found: ${path}`);
});

t.test('the kit is the ./testing subpath of the package', async (t) => {
  const testing = await import('@thv/registry-core/testing');
  t.same(Object.keys(testing).sort(), [
    'assertContractReport',
    'assertSourcePlugin',
    'assertStoragePlugin',
    'checkSourcePlugin',
    'checkStoragePlugin',
    'createSourceContext',
    'createStorageContext',
    'formatContractReport',
    'silentLogger',
    'syncStatus',
  ]);
  const core = await import('@thv/registry-core');
  t.notOk('checkSourcePlugin' in core, 'not in the main entry');
});
