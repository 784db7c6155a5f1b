/**
 * In a pod, the source uses the service account: `KUBERNETES_SERVICE_HOST` and
 * `KUBERNETES_SERVICE_PORT` name the API server (HTTPS), and the token and CA are read from the
 * service-account directory. `THV_REGISTRY_SERVICEACCOUNT_ROOT` moves that directory under a
 * temporary one, so the real client code path runs against an HTTPS emulator.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError } from '@thv/registry-core';
import plugin, { SERVICE_ACCOUNT_DIR, type KubernetesSource, type KubernetesSourceConfig } from '../src/index.js';
import { fetchRequest, sourceContext } from './helpers/context.js';
import type { KubeApiEmulator } from './helpers/kube-api-emulator.js';
import { writeKubeconfig } from './helpers/kubeconfig.js';
import { entryNames, exportedResource, sourceEnv, startEmulator } from './helpers/source-harness.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.service-account-token';

/** A pod's view: the service-account files under `<dir>/root`, a ~/.kube/config pointing elsewhere. */
async function pod(t: Test, emulator: KubeApiEmulator, files: { token?: string; ca?: string } = {}): Promise<string> {
  const dir = t.testdir({ home: { '.kube': {} } });
  const accountDir = join(dir, 'root', SERVICE_ACCOUNT_DIR);
  await mkdir(accountDir, { recursive: true });
  if (files.token !== undefined) await writeFile(join(accountDir, 'token'), files.token);
  await writeFile(join(accountDir, 'ca.crt'), files.ca ?? (emulator.ca as string));
  await writeFile(join(accountDir, 'namespace'), 'toolhive-system');
  await writeKubeconfig(join(dir, 'home', '.kube'), { url: 'https://home.example.com', ca: 'x' }, { fileName: 'config' });
  sourceEnv(t, {
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: String(emulator.port),
    THV_REGISTRY_SERVICEACCOUNT_ROOT: join(dir, 'root'),
    HOME: join(dir, 'home'),
  });
  return dir;
}

async function create(t: Test, dir: string, config: KubernetesSourceConfig = {}): Promise<KubernetesSource> {
  const source = (await plugin.create(config, sourceContext(dir))) as KubernetesSource;
  t.teardown(() => source.close());
  return source;
}

t.test('the service account token and CA reach an HTTPS API server', async (t) => {
  const emulator = await startEmulator(t, { tls: true, token: TOKEN });
  emulator.apply(exportedResource('MCPServer', 'toolhive-system', 'fetch'));
  const dir = await pod(t, emulator, { token: TOKEN });
  const source = await create(t, dir);
  t.equal(source.describe(), `kubernetes https://127.0.0.1:${emulator.port} (all namespaces)`);
  t.same(await entryNames(source), ['local.kubernetes/toolhive-system.fetch']);
  t.ok(emulator.requests.length >= 3);
  t.ok(emulator.requests.every((request) => request.authorized), 'every request carried the token');
});

t.test('KUBECONFIG still wins; without the token file ~/.kube/config is used', async (t) => {
  const emulator = await startEmulator(t, { tls: true, token: TOKEN });
  const dir = await pod(t, emulator, { token: TOKEN });
  await writeKubeconfig(dir, { url: 'https://env.example.com', ca: 'x' }, { fileName: 'env.yaml' });
  process.env['KUBECONFIG'] = join(dir, 'env.yaml');
  t.equal((await create(t, dir)).describe(), 'kubernetes https://env.example.com (all namespaces)');
  delete process.env['KUBECONFIG'];

  await t.rejects(
    create(t, dir, { context: 'prod' }),
    new ConfigError('kubernetes source: context is set, but the in-cluster service account has no contexts; remove it or set kubeconfig'),
  );

  const noToken = await pod(t, emulator);
  t.equal((await create(t, noToken)).describe(), 'kubernetes https://home.example.com (all namespaces)');
});

t.test('a CA that does not match the server fails the fetch with the TLS reason', async (t) => {
  const emulator = await startEmulator(t, { tls: true, token: TOKEN });
  const other = await startEmulator(t, { tls: true });
  const dir = await pod(t, emulator, { token: TOKEN, ca: other.ca as string });
  const source = await create(t, dir);
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: new RegExp(`^cannot discover the toolhive\\.stacklok\\.dev API of the Kubernetes API server ${emulator.url}: network error \\(.*certificate.*\\)$`),
  });
  t.equal(emulator.requests.length, 0, 'nothing was sent over the untrusted connection');
});
