/**
 * The `kubernetes:` block: its schema errors (named by path), what `create` refuses, and which
 * Kubernetes configuration is used: the block's kubeconfig, else $KUBECONFIG, else ~/.kube/config
 * (the in-cluster service account is in-cluster.test.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError } from '@thv/registry-core';
import { validateBlock } from '@thv/registry-core/host';
import plugin, { configSchema, type KubernetesSource, type KubernetesSourceConfig } from '../src/index.js';
import { sourceContext } from './helpers/context.js';
import { writeKubeconfig } from './helpers/kubeconfig.js';
import { sourceEnv } from './helpers/source-harness.js';

const check = (value: unknown) => validateBlock(configSchema, value, 'source.kubernetes');

/** Creates a source with the environment cleared except `env`, in `dir` as the config directory. */
async function create(t: Test, dir: string, config: KubernetesSourceConfig, env: Parameters<typeof sourceEnv>[1] = {}): Promise<KubernetesSource> {
  sourceEnv(t, { HOME: join(dir, 'home'), ...env });
  const source = (await plugin.create(config, sourceContext(dir))) as KubernetesSource;
  t.teardown(() => source.close());
  return source;
}

t.test('the schema', async (t) => {
  t.same(check({}), [], 'every field is optional');
  t.same(
    check({ kubeconfig: './kubeconfig', context: 'prod', namespaces: ['team-a', 'b2'], namePrefix: 'com.example.cluster-1', timeout: '1m30s' }),
    [],
  );
  t.match(check({ namespace: ['a'] }), [{ path: 'source.kubernetes.namespace', message: 'unknown key "namespace" (did you mean "namespaces"?)' }]);
  t.match(check({ namespaces: ['Team_A'] }), [
    { path: 'source.kubernetes.namespaces[0]', message: 'must be a namespace name (a DNS-1123 label: lowercase letters, digits and inner hyphens, at most 63)' },
  ]);
  t.match(check({ namespaces: ['a'.repeat(64)] }), [{ path: 'source.kubernetes.namespaces[0]' }]);
  t.match(check({ namespaces: [] }), [{ path: 'source.kubernetes.namespaces', message: 'must list at least one namespace; leave it out to watch every namespace' }]);
  t.match(check({ namespaces: ['a', 'a'] }), [{ path: 'source.kubernetes.namespaces', message: 'must not list a namespace twice' }]);
  t.match(check({ namespaces: 'team-a' }), [{ path: 'source.kubernetes.namespaces' }]);
  for (const namePrefix of ['kubernetes', 'local.kubernetes/x', '-bad.prefix', 'a..b']) {
    t.match(check({ namePrefix }), [{ path: 'source.kubernetes.namePrefix', message: 'must be a reverse-DNS name such as local.kubernetes or com.example.cluster' }], namePrefix);
  }
  t.match(check({ timeout: '1d' }), [{ path: 'source.kubernetes.timeout' }]);
  t.match(check({ kubeconfig: '' }), [{ path: 'source.kubernetes.kubeconfig' }]);
  t.match(check({ context: 7 }), [{ path: 'source.kubernetes.context' }]);
  for (const [key, value] of Object.entries(configSchema.properties)) {
    t.type((value as { description?: string }).description, 'string', `${key} is described`);
  }
});

t.test('create refuses what it cannot use', async (t) => {
  const dir = t.testdir({});
  await writeKubeconfig(dir, { url: 'https://10.0.0.1:6443', ca: 'not used' });
  const config = { kubeconfig: './kubeconfig.yaml' };
  const cases: Array<[KubernetesSourceConfig, Parameters<typeof sourceEnv>[1], string]> = [
    [{ ...config, namePrefix: 'nodots' }, {}, 'kubernetes source namePrefix "nodots" is not a reverse-DNS name such as local.kubernetes'],
    [{ ...config, timeout: 'soon' }, {}, 'kubernetes source timeout "soon" is not a positive duration (e.g. 30s)'],
    [{ ...config, timeout: '0s' }, {}, 'kubernetes source timeout "0s" is not a positive duration (e.g. 30s)'],
    [{ ...config, namespaces: ['Bad'] }, {}, 'kubernetes source namespaces holds "Bad", which is not a namespace name (a DNS-1123 label)'],
    [config, { THV_REGISTRY_WATCH_NAMESPACE: 'ok, not_ok' }, 'THV_REGISTRY_WATCH_NAMESPACE holds "not_ok", which is not a namespace name (a DNS-1123 label)'],
    [{ kubeconfig: './missing.yaml' }, {}, `kubernetes source cannot load kubeconfig ${join(dir, 'missing.yaml')}: file not found`],
    [{ ...config, context: 'prod' }, {}, `kubernetes source: context "prod" is not in kubeconfig ${join(dir, 'kubeconfig.yaml')} (it has emulator)`],
    [{}, {}, 'kubernetes source: no Kubernetes configuration found: set kubernetes.kubeconfig or KUBECONFIG, run in a pod with a service account, or create ~/.kube/config'],
  ];
  for (const [block, env, message] of cases) await t.rejects(create(t, dir, block, env), new ConfigError(message), message);
  sourceEnv(t);
  await t.rejects(
    async () => plugin.create(config, { ...sourceContext(dir), format: 'toolhive' }),
    new ConfigError('a kubernetes source delivers server.json entries; remove `format: toolhive` or set it to upstream'),
  );
});

t.test('a kubeconfig that is not YAML is named, not quoted', async (t) => {
  const dir = t.testdir({ 'kubeconfig.yaml': 'users:\n- name: admin\n  user:\n    token: s3cret-token\n  : [broken\n' });
  const error = (await create(t, dir, { kubeconfig: './kubeconfig.yaml' }).catch((err: unknown) => err)) as Error;
  t.type(error, ConfigError);
  t.match(error.message, new RegExp(`^kubernetes source cannot load kubeconfig ${join(dir, 'kubeconfig.yaml')}: not valid YAML: .+ \\(line \\d+, column \\d+\\)$`));
  t.notMatch(error.message, /s3cret/);
});

t.test('which configuration: the block, else KUBECONFIG, else ~/.kube/config; context picks a cluster', async (t) => {
  const dir = t.testdir({ home: { '.kube': {} } });
  await writeKubeconfig(dir, { url: 'https://block.example.com:6443/', ca: 'x' }, { fileName: 'block.yaml' });
  await writeKubeconfig(dir, { url: 'https://env.example.com:6443', ca: 'x' }, { fileName: 'env.yaml' });
  await writeKubeconfig(join(dir, 'home', '.kube'), { url: 'https://home.example.com', ca: 'x' }, { fileName: 'config' });
  const env = { KUBECONFIG: join(dir, 'env.yaml') };

  t.equal((await create(t, dir, { kubeconfig: './block.yaml' }, env)).describe(), 'kubernetes https://block.example.com:6443 (all namespaces)');
  t.equal((await create(t, dir, { namespaces: ['a'] }, env)).describe(), 'kubernetes https://env.example.com:6443 (namespace a)');
  t.equal((await create(t, dir, {})).describe(), 'kubernetes https://home.example.com (all namespaces)');

  const contexts = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: dev',
    '  cluster: { server: "https://dev.example.com" }',
    '- name: prod',
    '  cluster: { server: "https://admin:hunter2@prod.example.com:443/k8s?x=1" }',
    'users:',
    '- name: me',
    '  user: { token: abc }',
    'contexts:',
    '- name: dev',
    '  context: { cluster: dev, user: me }',
    '- name: prod',
    '  context: { cluster: prod, user: me }',
    'current-context: dev',
  ].join('\n');
  await writeFile(join(dir, 'contexts.yaml'), contexts);
  t.equal((await create(t, dir, { kubeconfig: './contexts.yaml' })).describe(), 'kubernetes https://dev.example.com (all namespaces)');
  t.equal(
    (await create(t, dir, { kubeconfig: './contexts.yaml', context: 'prod' })).describe(),
    'kubernetes https://prod.example.com/k8s (all namespaces)',
    'no credentials or query in describe()',
  );
  await mkdir(join(dir, 'empty'));
  await writeFile(join(dir, 'empty', 'config'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  await t.rejects(
    create(t, dir, { kubeconfig: './empty/config' }),
    new ConfigError(`kubernetes source: kubeconfig ${join(dir, 'empty', 'config')} has no current cluster; set kubernetes.context or the kubeconfig's current-context`),
  );
});

t.test('the plugin descriptor', async (t) => {
  t.equal(plugin.type, 'kubernetes');
  t.equal(plugin.kind, 'source');
  t.ok(Object.isFrozen(plugin));
});
