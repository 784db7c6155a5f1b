/**
 * The plugin keeps core's source plugin contract (the test kit of `@thv/registry-core/testing`),
 * and runs inside a real runtime: `type: kubernetes` resolves to this package, a sync commits the
 * exported resources, a change in the cluster is synced without waiting for the interval, and the
 * runtime reports the deployed instances.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { createRuntime, loadConfig } from '@thv/registry-core/host';
import { assertSourcePlugin, silentLogger } from '@thv/registry-core/testing';
import plugin from '../src/index.js';
import { LogCapture } from './helpers/context.js';
import { writeKubeconfig } from './helpers/kubeconfig.js';
import { exportedResource, sourceEnv, startEmulator } from './helpers/source-harness.js';

t.test('keeps the source plugin contract', async (t) => {
  sourceEnv(t);
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch'));
  emulator.apply(exportedResource('MCPRemoteProxy', 'default', 'github'));
  const dir = t.testdir({});
  await writeKubeconfig(dir, emulator);
  const logs = new LogCapture();
  const report = await assertSourcePlugin(plugin, {
    config: { kubeconfig: './kubeconfig.yaml' },
    context: { configDir: dir, logger: pino({ level: 'debug' }, logs.stream) },
    mutate: async () => {
      emulator.apply(exportedResource('VirtualMCPServer', 'default', 'everything'));
      await logs.waitFor((line) => line.msg === 'watch event' && line['name'] === 'default/everything');
    },
    breakIt: async () => {
      await emulator.stop();
      await logs.waitFor((line) => line.msg === 'watch disconnected; reconnecting');
    },
  });
  t.same(report.warnings, []);
  t.same(report.collected?.entries.map((entry) => entry.server.name), ['local.kubernetes/default.fetch', 'local.kubernetes/default.github']);
  t.match(report.checks.find((check) => check.name === 'broken')?.message, /^rejected with SourceError \[THV_ERR_SOURCE\]: the watch of \w+ in all namespaces at the Kubernetes API server http:\/\/127\.0\.0\.1:\d+ is disconnected \(reconnecting\): connection refused$/);
});

t.test('type: kubernetes in a runtime: synced at start, again on a change, deployed instances reported', async (t) => {
  sourceEnv(t);
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch'));
  const dir = t.testdir({});
  await writeKubeconfig(dir, emulator);
  const configText = [
    'registryName: cluster',
    'source:',
    '  type: kubernetes',
    '  kubernetes: { kubeconfig: ./kubeconfig.yaml, namespaces: [default] }',
    'syncPolicy: { interval: 1h }',
    'dataDir: ./data',
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yaml'), configText);
  const runtime = await createRuntime(await loadConfig(join(dir, 'config.yaml')), { logger: silentLogger() });
  t.teardown(() => runtime.close());
  t.equal(runtime.summaries()[0]?.source, `kubernetes ${emulator.url} (namespace default)`);

  const view = () => runtime.catalog.registry('cluster');
  await runtime.start();
  await until(() => view()?.serverCount === 1);
  t.ok(view()?.get('local.kubernetes/default.fetch', 'latest', false), 'the first sync committed the exported server');

  emulator.apply(exportedResource('MCPServer', 'default', 'time'));
  await until(() => view()?.serverCount === 2);
  t.ok(view()?.get('local.kubernetes/default.time', '1.0.0', false), 'the change was synced without waiting for the 1h interval');
  t.same(runtime.deployed()?.map((server) => [server.name, server.exported]), [['fetch', true], ['time', true]]);
});

/** Resolves once `condition` holds (checked every 20 ms); rejects after `limitMs`. */
async function until(condition: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
