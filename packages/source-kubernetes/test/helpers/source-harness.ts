import type { SourceData } from '@thv/registry-core';
import type { Test } from 'tap';
import plugin, { type KubernetesSource, type KubernetesSourceConfig } from '../../src/index.js';
import { fetchRequest, sourceContext, type LogCapture } from './context.js';
import { KubeApiEmulator, toolhiveResource, type KubeApiEmulatorOptions, type KubeObject } from './kube-api-emulator.js';
import { writeKubeconfig, type KubeconfigServer } from './kubeconfig.js';

/** The environment variables the source reads; every test starts without them. */
const SOURCE_ENV = [
  'KUBECONFIG',
  'THV_REGISTRY_WATCH_NAMESPACE',
  'KUBERNETES_SERVICE_HOST',
  'KUBERNETES_SERVICE_PORT',
  'THV_REGISTRY_SERVICEACCOUNT_ROOT',
] as const;

/** The values the environment had before each test changed it. */
const savedEnv = new WeakMap<Test, Map<string, string | undefined>>();

/**
 * Sets the source's environment variables to `values` (the others unset). The test's first call
 * remembers the environment as it was, and restores it when the test ends.
 */
export function sourceEnv(t: Test, values: Partial<Record<(typeof SOURCE_ENV)[number] | 'HOME', string>> = {}): void {
  let saved = savedEnv.get(t);
  if (saved === undefined) {
    const original = new Map<string, string | undefined>();
    saved = original;
    savedEnv.set(t, original);
    t.teardown(() => {
      for (const [name, value] of original) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
  }
  for (const name of [...SOURCE_ENV, ...Object.keys(values)]) {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    const value = values[name as keyof typeof values];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** Starts an emulator that the test stops at its end. */
export async function startEmulator(t: Test, options: KubeApiEmulatorOptions = {}): Promise<KubeApiEmulator> {
  const emulator = await KubeApiEmulator.start(options);
  t.teardown(() => emulator.close());
  return emulator;
}

/** Counts a source's change notices and waits for the next ones. */
export class ChangeRecorder {
  count = 0;
  readonly #waiters = new Set<() => void>();

  /** Subscribes to `source.watch`. */
  constructor(source: KubernetesSource) {
    source.watch(() => {
      this.count += 1;
      for (const wake of [...this.#waiters]) wake();
    });
  }

  /**
   * A promise of the next notice after now (take it before causing the change); it rejects after
   * `limitMs`, a bound far above what an event-driven notice takes.
   */
  next(limitMs = 2000): Promise<void> {
    const seen = this.count;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no change notice within ${limitMs} ms`));
      }, limitMs);
      const check = (): void => {
        if (this.count === seen) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }
}

/** A started source, its logs and its change notices. */
export interface StartedSource {
  readonly source: KubernetesSource;
  readonly logs: LogCapture;
  readonly changes: ChangeRecorder;
  /** The directory of the config file (and kubeconfig). */
  readonly dir: string;
}

/**
 * Creates a kubernetes source for `emulator` through the plugin (kubeconfig written next to the
 * config, the environment cleared unless `env` says otherwise), subscribes to its change notices
 * (which starts the watches, as the sync coordinator does) and closes it when the test ends.
 */
export async function startSource(
  t: Test,
  emulator: KubeconfigServer,
  config: KubernetesSourceConfig = {},
  options: { token?: string; env?: Parameters<typeof sourceEnv>[1] } = {},
): Promise<StartedSource> {
  sourceEnv(t, options.env);
  const dir = t.testdir({});
  await writeKubeconfig(dir, emulator, options.token === undefined ? {} : { token: options.token });
  const context = sourceContext(dir);
  const source = (await plugin.create({ kubeconfig: './kubeconfig.yaml', ...config }, context)) as KubernetesSource;
  t.teardown(() => source.close());
  return { source, logs: context.logs, changes: new ChangeRecorder(source), dir };
}

/** Fetches (in full) and returns the data. */
export async function fetchData(source: KubernetesSource): Promise<SourceData> {
  const result = await source.fetch(fetchRequest());
  if (result.unchanged === true) throw new Error('expected data, got unchanged');
  return result;
}

/** The entry names a full fetch delivers. */
export async function entryNames(source: KubernetesSource): Promise<string[]> {
  return ((await fetchData(source)).entries ?? []).map((entry) => entry.server.name);
}

/**
 * A ToolHive resource annotated for export, with a `status.url` (`http://<name>.<namespace>.svc:8080/mcp`)
 * and `Running` phase unless `fields` says otherwise.
 */
export function exportedResource(
  kind: string,
  namespace: string,
  name: string,
  annotations: Record<string, string> = {},
  fields: { spec?: Record<string, unknown>; status?: Record<string, unknown> } = {},
): KubeObject {
  return toolhiveResource(kind, namespace, name, {
    annotations: { 'toolhive.stacklok.dev/registry-export': 'true', ...annotations },
    spec: fields.spec ?? {},
    status: fields.status ?? { phase: 'Running', url: `http://${name}.${namespace}.svc:8080/mcp` },
  });
}
