/**
 * A source that says when its data changed (`SourceHandler.watch`) is synced within moments, not at
 * its interval: one sync for a burst of notices, one more after a sync that a notice interrupted.
 * What it reports as deployed is what the runtime serves under `/api/v0/deployed`.
 */
import { join } from 'node:path';
import { createRuntime, parseConfig, type RegistryRuntime } from '@thv/registry-core/host';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { CLI_PACKAGE_DIR } from './helpers/cli.js';
import { pollUntil } from './helpers/poll.js';

const PLUGIN = join(CLI_PACKAGE_DIR, 'test', 'fixtures', 'notifying-source.mjs');

/** The fixture's state, shared through globalThis (see notifying-source.mjs). */
interface NotifyingSource {
  names: string[];
  fetches: number;
  listeners: Set<() => void>;
  hold: Promise<void> | undefined;
  changed(): void;
}

const logger = pino({ level: 'silent' });

async function startRuntime(t: Test): Promise<{ runtime: RegistryRuntime; source: NotifyingSource }> {
  const dir = t.testdir();
  const text = ['registryName: live', 'source:', '  type: notifying', `  plugin: ${JSON.stringify(PLUGIN)}`, '  notifying: {}', 'syncPolicy: { interval: 1h }', ''].join('\n');
  const runtime = await createRuntime(parseConfig(text, join(dir, 'config.yaml')), { logger });
  t.teardown(() => runtime.close());
  const source = (globalThis as { notifyingSource?: NotifyingSource }).notifyingSource;
  if (source === undefined) throw new Error('the fixture plugin did not load');
  source.names = ['alpha'];
  source.fetches = 0;
  source.hold = undefined;
  await runtime.start();
  await versionCount(runtime, 1);
  return { runtime, source };
}

/** Waits until the registry serves `count` versions (within 2 s: a change notice, not the hourly interval). */
function versionCount(runtime: RegistryRuntime, count: number): Promise<true> {
  return pollUntil(`${count} versions served`, () => (runtime.catalog.registry('live')?.versionCount === count ? true : undefined), {
    timeoutMs: 2_000,
  });
}

t.test('a change notice syncs within moments; a burst of notices makes one sync', async (t) => {
  const { runtime, source } = await startRuntime(t);
  t.equal(source.fetches, 1, 'the first sync at start');

  source.names = ['alpha', 'beta'];
  source.changed();
  await versionCount(runtime, 2);
  t.equal(source.fetches, 2, 'one more fetch');

  source.names = ['alpha', 'beta', 'gamma'];
  for (let i = 0; i < 20; i++) source.changed();
  await versionCount(runtime, 3);
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.equal(source.fetches, 3, 'twenty notices in a row: one sync');
});

t.test('a notice during a sync is followed by one more sync, which sees the change', async (t) => {
  const { runtime, source } = await startRuntime(t);
  let release: () => void = () => undefined;
  source.hold = new Promise<void>((resolve) => (release = resolve));
  source.names = ['alpha', 'beta'];
  source.changed();
  await pollUntil('the sync in flight', () => (source.fetches === 2 ? true : undefined), { timeoutMs: 2_000 });

  // The sync in flight has read ['alpha', 'beta'] already; this change comes after it.
  source.names = ['alpha', 'beta', 'gamma'];
  source.changed();
  source.changed();
  source.hold = undefined;
  release();
  await versionCount(runtime, 3);
  t.equal(source.fetches, 3, 'exactly one sync after the one in flight');
});

t.test('closing stops the notices; the runtime reports what the source sees deployed', async (t) => {
  const { runtime, source } = await startRuntime(t);
  t.same(runtime.deployed(), [{ name: 'alpha', namespace: 'test', kind: 'MCPServer', serverName: 'io.github.test/alpha', exported: true }]);
  t.equal(source.listeners.size, 1, 'the coordinator listens');
  await runtime.close();
  t.equal(source.listeners.size, 0, 'and stops listening when closed');
});
