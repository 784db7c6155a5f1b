/**
 * The Kubernetes manifests of deploy/kubernetes: every overlay renders with `kubectl kustomize`,
 * every object validates against the Kubernetes schemas (kubernetes-models), every pod follows
 * the security rules, the wiring between objects holds (mounts, keys, ports, selectors), the
 * commands are commands of this CLI, and what the manifests say the server serves is what it
 * serves: the file overlay's ConfigMap served by the real CLI answers the probes, and the
 * postgres-demo's init script, migration Job and serving user work against a real PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '@thv/registry-core/host';
import pg from 'pg';
import t from 'tap';
import type { Test } from 'tap';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { createBareRepo } from '../../source-git/test/helpers/git-http-server.js';
import { acquireTestServer, createTestDatabase, dropRoleAtTeardown, uniqueName } from '../../storage-pg/test/helpers/test-database.js';
import { REPO_ROOT, runCli, ServeProcess } from './helpers/cli.js';
import { get, type ServerListBody } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';
import { toolhiveResource } from '../../source-kubernetes/test/helpers/kube-api-emulator.js';
import { exportedResource, startEmulator } from '../../source-kubernetes/test/helpers/source-harness.js';

const run = promisify(execFile);

const KUBERNETES_DIR = join(REPO_ROOT, 'deploy', 'kubernetes');
const OVERLAYS = ['file', 'postgres', 'postgres-demo', 'kubernetes'] as const;
type Overlay = (typeof OVERLAYS)[number];
/** The overlays without a database (no migration Job). */
const WITHOUT_DATABASE: ReadonlySet<Overlay> = new Set(['file', 'kubernetes']);
/** The overlays whose server calls the Kubernetes API (the kubernetes source), with a token. */
const CALLS_THE_API: ReadonlySet<Overlay> = new Set(['kubernetes']);
/** The overlays, and the base they share (rendered on its own too). */
const TREES = ['base', ...OVERLAYS.map((overlay) => `overlays/${overlay}`)];

/** What `images:` in base/kustomization.yaml makes of the manifests' image name `thv-registry-api`. */
const REGISTRY_IMAGE = /^ghcr\.io\/stacklok\/thv-registry:\S+$/;
/** The longest the server takes to stop after SIGTERM (statementTimeout 10 s + 2 s, connectTimeout 5 s) and to exit after that. */
const SHUTDOWN_BOUND_S = 17 + 2;
/** Measured (README, Performance): steady RSS and sync peak for 10,000 servers x 3 versions. */
const STEADY_RSS_MIB = 225;
const SYNC_PEAK_MIB = 380;

interface Metadata {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  [field: string]: unknown;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
interface HttpProbe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: HttpProbe;
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  terminationGracePeriodSeconds?: number;
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}
interface Workload extends K8sObject {
  spec: { replicas?: number; template: PodTemplate; selector?: { matchLabels: Record<string, string> } };
}
interface ServiceObject extends K8sObject {
  spec: {
    type?: string;
    externalName?: string;
    clusterIP?: string;
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; targetPort?: string | number }[];
  };
}
interface ConfigMapObject extends K8sObject {
  data: Record<string, string>;
}
interface SecretObject extends K8sObject {
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}
/** The parts of config.yaml these tests look at. */
interface ConfigFile {
  dataDir?: string;
  source: { type: string; git?: { repository: string; path: string; branch?: string } };
  database?: {
    host: string;
    port: number;
    database: string;
    user: string;
    passwordFile?: string;
    migrationUser?: string;
    migrationPasswordFile?: string;
    sslMode?: string;
  };
  server?: { address?: string };
  [key: string]: unknown;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job']);

async function kubectlVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('kubectl', ['version', '--client'], { timeout: 30_000 });
    return stdout.trim().split('\n').join(', ');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const kubectl = await kubectlVersion();
const skip = kubectl === undefined ? 'kubectl is not installed: the Kubernetes manifests (deploy/kubernetes) are not checked' : false;

const renders = new Map<string, Promise<K8sObject[]>>();

/** `kubectl kustomize deploy/kubernetes/<tree>`, parsed (rendered once per tree). */
function render(tree: string): Promise<K8sObject[]> {
  let rendered = renders.get(tree);
  if (rendered === undefined) {
    rendered = (async () => {
      const { stdout } = await run('kubectl', ['kustomize', join(KUBERNETES_DIR, tree)], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
      return parseAllDocuments(stdout).map((document) => {
        if (document.errors.length > 0) throw new Error(`${tree}: kubectl kustomize printed invalid YAML: ${document.errors[0]?.message}`);
        return document.toJS() as K8sObject;
      });
    })();
    renders.set(tree, rendered);
  }
  return rendered;
}

function overlayTree(overlay: Overlay): string {
  return `overlays/${overlay}`;
}

function find<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found as T;
}

/** The ConfigMap a kustomize generator made from `name` (its name has a hash suffix). */
function generatedConfigMap(objects: K8sObject[], name: string): ConfigMapObject {
  const found = objects.filter((object) => object.kind === 'ConfigMap' && new RegExp(`^${name}-[a-z0-9]{10}$`).test(object.metadata.name));
  if (found.length !== 1) throw new Error(`expected one generated ConfigMap ${name}-<hash>, found ${found.length}`);
  return found[0] as ConfigMapObject;
}

function workloads(objects: K8sObject[]): Workload[] {
  return objects.filter((object) => WORKLOAD_KINDS.has(object.kind)) as Workload[];
}

function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** The containers that run this CLI (the image that `images:` names). */
function registryContainers(objects: K8sObject[]): { workload: Workload; container: Container }[] {
  return workloads(objects).flatMap((workload) =>
    workload.spec.template.spec.containers.filter((container) => REGISTRY_IMAGE.test(container.image)).map((container) => ({ workload, container })),
  );
}

function registryDeployment(objects: K8sObject[]): { workload: Workload; container: Container } {
  const deployment = find<Workload>(objects, 'Deployment', 'registry-api');
  const container = deployment.spec.template.spec.containers.find((c) => c.name === 'registry-api');
  if (container === undefined) throw new Error('the Deployment has no container registry-api');
  return { workload: deployment, container };
}

/** `--config <path>` or `--config=<path>` of an argument list. */
function configArg(args: readonly string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg === '--config' || arg === '-c') return args[index + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/** The volume mounted at the directory that holds `path`, with the mount. */
function volumeFor(workload: Workload, container: Container, path: string): { volume: Volume; mountPath: string; key: string } {
  const mount = (container.volumeMounts ?? []).find((m) => posix.dirname(path) === m.mountPath);
  if (mount === undefined) throw new Error(`${workload.kind} ${workload.metadata.name}: nothing is mounted at ${posix.dirname(path)} (for ${path})`);
  const volume = (workload.spec.template.spec.volumes ?? []).find((v) => v.name === mount.name);
  if (volume === undefined) throw new Error(`${workload.kind} ${workload.metadata.name}: no volume ${mount.name}`);
  return { volume, mountPath: mount.mountPath, key: posix.basename(path) };
}

function envOf(container: Container, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

/** The config.yaml a registry container reads, from the rendered ConfigMap it mounts. */
function mountedConfig(objects: K8sObject[], workload: Workload, container: Container): { text: string; configMap: ConfigMapObject; path: string } {
  const path = configArg(container.args ?? []);
  if (path === undefined) throw new Error(`${workload.kind} ${workload.metadata.name}: no --config in ${JSON.stringify(container.args)}`);
  const { volume, key } = volumeFor(workload, container, path);
  if (volume.configMap === undefined) throw new Error(`${path} is not on a ConfigMap volume`);
  const configMap = find<ConfigMapObject>(objects, 'ConfigMap', volume.configMap.name);
  const text = configMap.data[key];
  if (text === undefined) throw new Error(`ConfigMap ${configMap.metadata.name} has no key ${key}`);
  return { text, configMap, path };
}

/** Mebibytes of a Kubernetes quantity such as 512Mi or 1Gi. */
function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (match === null) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

function portOf(address: string): number {
  const match = /:(\d+)$/.exec(address);
  if (match === null) throw new Error(`no port in ${address}`);
  return Number(match[1]);
}

function containerPort(container: Container, port: string | number): number | undefined {
  return typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

t.test('kubectl', { skip }, async (t) => {
  t.comment(`using ${kubectl}`);
  t.pass('kubectl is installed');
});

t.test('every overlay (and the base) renders with kubectl kustomize', { skip }, async (t) => {
  for (const tree of TREES) {
    const objects = await render(tree);
    t.ok(objects.length > 0, `${tree} renders`);
    const ids = objects.map((object) => `${object.kind}/${object.metadata.name}`);
    t.equal(new Set(ids).size, ids.length, `${tree}: no object twice`);
  }

  const kinds = async (overlay: Overlay): Promise<string[]> =>
    (await render(overlayTree(overlay))).map((object) => `${object.kind}/${object.metadata.name.replace(/-[a-z0-9]{10}$/, '-<hash>')}`).sort();
  const common = ['ConfigMap/registry-api-config-<hash>', 'Deployment/registry-api', 'PodDisruptionBudget/registry-api', 'Service/registry-api', 'ServiceAccount/registry-api'];
  const database = ['Job/registry-migrate', 'Secret/registry-db-password', 'Service/registry-postgres'];
  const demo = ['ConfigMap/registry-postgres-init-<hash>', 'Secret/registry-postgres-admin', 'StatefulSet/registry-postgres'];
  t.same(await kinds('file'), [...common].sort(), 'file: no database, so no Job, Secret or database Service');
  t.same(await kinds('postgres'), [...common, ...database].sort(), 'postgres: the migration Job, the passwords and the database alias');
  t.same(await kinds('postgres-demo'), [...common, ...database, ...demo].sort(), 'postgres-demo: and a PostgreSQL of its own');
  const rbac = ['ClusterRole/thv-registry-kubernetes-source', 'ClusterRoleBinding/thv-registry-kubernetes-source', 'Namespace/thv-registry'];
  t.same(await kinds('kubernetes'), [...common, ...rbac].sort(), 'kubernetes: no database, and the right to watch MCP servers');

  const replicas = async (overlay: Overlay): Promise<number | undefined> => registryDeployment(await render(overlayTree(overlay))).workload.spec.replicas;
  t.equal(await replicas('file'), 1, 'file: one replica (fs storage)');
  t.equal(await replicas('postgres'), 2, 'postgres: two replicas');
  t.equal(await replicas('postgres-demo'), 2, 'postgres-demo: two replicas');
  t.equal(await replicas('kubernetes'), 2, 'kubernetes: two replicas, each watching the cluster');

  const alias = find<ServiceObject>(await render(overlayTree('postgres')), 'Service', 'registry-postgres');
  t.equal(alias.spec.type, 'ExternalName', 'postgres: registry-postgres is an alias of the existing database');
  t.ok(alias.spec.externalName, 'with a DNS name to set');
});

t.test('every rendered object validates against the Kubernetes schemas', { skip }, async (t) => {
  for (const tree of TREES) {
    for (const object of await render(tree)) {
      const id = `${tree}: ${object.apiVersion} ${object.kind} ${object.metadata.name}`;
      // kubernetes-models/<group>/<version> (core objects: kubernetes-models/v1) exports one class per kind.
      const module = (await import(`kubernetes-models/${object.apiVersion}`).catch(() => undefined)) as Record<string, unknown> | undefined;
      const Model = module?.[object.kind] as
        | { new (data: K8sObject): { validate(): void }; apiVersion: string; kind: string }
        | undefined;
      if (Model === undefined || Model.apiVersion !== object.apiVersion || Model.kind !== object.kind) {
        t.fail(`${id}: kubernetes-models has no such kind`);
        continue;
      }
      t.doesNotThrow(() => new Model(object).validate(), id);
    }
  }
});

t.test('every pod runs unprivileged, read-only and with resources', { skip }, async (t) => {
  for (const overlay of OVERLAYS) {
    const objects = await render(overlayTree(overlay));
    const unknownPods = objects.filter((object) => ['Pod', 'DaemonSet', 'ReplicaSet', 'CronJob'].includes(object.kind));
    t.same(unknownPods, [], `${overlay}: pods come from Deployments, StatefulSets and Jobs only`);
    for (const workload of workloads(objects)) {
      const spec = workload.spec.template.spec;
      const pod = spec.securityContext ?? {};
      const id = `${overlay}: ${workload.kind} ${workload.metadata.name}`;
      t.notOk(spec.hostNetwork || spec.hostPID || spec.hostIPC, `${id}: no host namespaces`);
      const serviceAccount = objects.find((object) => object.kind === 'ServiceAccount' && object.metadata.name === spec.serviceAccountName);
      const automount = spec.automountServiceAccountToken ?? (serviceAccount as { automountServiceAccountToken?: boolean } | undefined)?.automountServiceAccountToken;
      const needsToken = CALLS_THE_API.has(overlay) && workload.kind === 'Deployment';
      t.equal(automount, needsToken, needsToken ? `${id}: the service account token, for the kubernetes source` : `${id}: no service account token`);
      for (const volume of spec.volumes ?? []) {
        const types = Object.keys(volume).filter((key) => key !== 'name');
        t.ok(
          types.every((type) => ['configMap', 'secret', 'emptyDir', 'persistentVolumeClaim', 'projected', 'downwardAPI'].includes(type)),
          `${id}: volume ${volume.name} (${types.join(', ')}) is of a kind the restricted Pod Security Standard allows`,
        );
      }
      for (const container of allContainers(spec)) {
        const security = container.securityContext ?? {};
        const cid = `${id}, container ${container.name}`;
        t.equal(security.runAsNonRoot ?? pod.runAsNonRoot, true, `${cid}: runAsNonRoot`);
        t.not(security.runAsUser ?? pod.runAsUser, 0, `${cid}: not UID 0`);
        t.equal(security.readOnlyRootFilesystem, true, `${cid}: readOnlyRootFilesystem`);
        t.equal(security.allowPrivilegeEscalation, false, `${cid}: allowPrivilegeEscalation false`);
        t.not(security.privileged, true, `${cid}: not privileged`);
        t.ok(security.capabilities?.drop?.includes('ALL'), `${cid}: drops ALL capabilities`);
        t.same(security.capabilities?.add ?? [], [], `${cid}: adds none`);
        t.equal((security.seccompProfile ?? pod.seccompProfile)?.type, 'RuntimeDefault', `${cid}: seccomp RuntimeDefault`);
        const resources = container.resources ?? {};
        for (const field of ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']) {
          const [group, name] = field.split('.') as ['requests' | 'limits', string];
          t.ok(resources[group]?.[name], `${cid}: resources.${field} set`);
        }
        t.ok(mebibytes(resources.limits?.['memory'] ?? '0Mi') >= mebibytes(resources.requests?.['memory'] ?? '0Mi'), `${cid}: memory limit >= request`);
      }
    }
  }
});

t.test('the registry pods: image, mounts, ports, probes and selectors agree with the config', { skip }, async (t) => {
  for (const overlay of OVERLAYS) {
    const objects = await render(overlayTree(overlay));
    const registry = registryContainers(objects);
    t.same(
      registry.map(({ workload }) => `${workload.kind}/${workload.metadata.name}`).sort(),
      WITHOUT_DATABASE.has(overlay) ? ['Deployment/registry-api'] : ['Deployment/registry-api', 'Job/registry-migrate'],
      `${overlay}: the registry image runs in the Deployment${WITHOUT_DATABASE.has(overlay) ? '' : ' and the Job'}`,
    );
    const leftover = workloads(objects).flatMap((w) => allContainers(w.spec.template.spec)).filter((c) => c.image === 'thv-registry-api');
    t.same(leftover, [], `${overlay}: kustomize images: replaced every thv-registry-api`);
    t.equal(new Set(registry.map(({ container }) => container.image)).size, 1, `${overlay}: one image for the Job and the server`);

    for (const { workload, container } of registry) {
      const id = `${overlay}: ${workload.kind} ${workload.metadata.name}`;
      const { text, path } = mountedConfig(objects, workload, container);
      t.equal(path, '/config/config.yaml', `${id}: reads /config/config.yaml (the image's default)`);
      const config = parseYaml(text) as ConfigFile;
      t.doesNotThrow(() => parseConfig(text, path), `${id}: config.yaml is a valid configuration`);
      t.equal(config.dataDir, undefined, `${id}: config.yaml sets no dataDir (THV_DATA_DIR does)`);
      for (const field of ['passwordFile', 'migrationPasswordFile'] as const) {
        const file = config.database?.[field];
        if (file === undefined) continue;
        const { volume, key } = volumeFor(workload, container, file);
        t.ok(volume.secret, `${id}: database.${field} ${file} is on a Secret volume`);
        const secret = find<SecretObject>(objects, 'Secret', volume.secret?.secretName ?? '');
        t.ok(secret.stringData?.[key] ?? secret.data?.[key], `${id}: Secret ${secret.metadata.name} has the key ${key}`);
        t.ok((container.volumeMounts ?? []).find((m) => m.name === volume.name)?.readOnly, `${id}: ${file} is mounted read-only`);
      }
    }

    const { workload: deployment, container } = registryDeployment(objects);
    const config = parseYaml(mountedConfig(objects, deployment, container).text) as ConfigFile;
    const port = portOf(config.server?.address ?? ':8080');
    t.same(container.ports?.map((p) => [p.name, p.containerPort]), [['http', port]], `${overlay}: containerPort http is the port of server.address (${port})`);

    const dataDir = envOf(container, 'THV_DATA_DIR');
    t.equal(dataDir, '/data', `${overlay}: THV_DATA_DIR=/data`);
    const dataMount = (container.volumeMounts ?? []).find((m) => m.mountPath === dataDir);
    const dataVolume = deployment.spec.template.spec.volumes?.find((v) => v.name === dataMount?.name);
    t.ok(dataVolume?.emptyDir ?? dataVolume?.persistentVolumeClaim, `${overlay}: the data directory is a writable volume`);
    t.notOk(dataMount?.readOnly, `${overlay}: mounted read-write`);

    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
      const httpGet = container[probe]?.httpGet;
      t.ok(httpGet, `${overlay}: ${probe} is an HTTP GET`);
      t.equal(containerPort(container, httpGet?.port ?? -1), port, `${overlay}: ${probe} asks the server's port`);
    }
    t.equal(container.readinessProbe?.httpGet?.path, '/readiness', `${overlay}: readiness on /readiness`);
    t.equal(container.livenessProbe?.httpGet?.path, '/health', `${overlay}: liveness on /health`);
    const startup = container.startupProbe;
    t.ok(
      (startup?.periodSeconds ?? 10) * (startup?.failureThreshold ?? 3) >= 30,
      `${overlay}: the startup probe allows at least 30 s (${startup?.periodSeconds} s x ${startup?.failureThreshold})`,
    );

    // The grace period covers the preStop delay and the server's shutdown.
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    const delayMs = Number(/setTimeout\([^,]*,\s*(\d+)\)/.exec(preStop.join(' '))?.[1] ?? 0);
    t.equal(preStop[0], 'node', `${overlay}: the preStop delay runs node, which the image has`);
    const grace = deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30;
    t.ok(grace >= delayMs / 1000 + SHUTDOWN_BOUND_S, `${overlay}: terminationGracePeriodSeconds ${grace} >= preStop ${delayMs / 1000} s + shutdown ${SHUTDOWN_BOUND_S} s`);

    // Memory from the measurements, and a heap cap under the limit.
    const memoryRequest = mebibytes(container.resources?.requests?.['memory'] ?? '0Mi');
    const memoryLimit = mebibytes(container.resources?.limits?.['memory'] ?? '0Mi');
    t.ok(memoryRequest >= STEADY_RSS_MIB, `${overlay}: memory request ${memoryRequest} Mi >= the steady RSS (${STEADY_RSS_MIB} MiB)`);
    t.ok(memoryLimit >= SYNC_PEAK_MIB * 1.25, `${overlay}: memory limit ${memoryLimit} Mi leaves room above the sync peak (${SYNC_PEAK_MIB} MiB)`);
    const heap = Number(/--max-old-space-size=(\d+)/.exec(envOf(container, 'NODE_OPTIONS') ?? '')?.[1] ?? NaN);
    // At least the README's example cap (256 MiB), and about 110 MiB under the limit for what is not heap.
    t.ok(heap >= 256 && heap <= memoryLimit - 110, `${overlay}: the heap cap (${heap} MiB) fits under the memory limit (${memoryLimit} Mi)`);

    // The Service and the PodDisruptionBudget select the serving pods, not the Job's.
    const podLabels = deployment.spec.template.metadata.labels;
    const service = find<ServiceObject>(objects, 'Service', 'registry-api');
    t.ok(matches(service.spec.selector ?? {}, podLabels), `${overlay}: the Service selects the serving pods`);
    t.same(service.spec.ports?.map((p) => [p.name, p.port, containerPort(container, p.targetPort ?? p.port)]), [['http', 8080, port]], `${overlay}: Service port http 8080 -> the server`);
    const pdb = find<K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; maxUnavailable?: number } }>(objects, 'PodDisruptionBudget', 'registry-api');
    t.ok(matches(pdb.spec.selector.matchLabels, podLabels), `${overlay}: the PodDisruptionBudget selects the serving pods`);
    t.ok(matches(deployment.spec.selector?.matchLabels ?? {}, podLabels), `${overlay}: the Deployment's selector matches its pods`);
    for (const other of workloads(objects).filter((w) => w !== deployment)) {
      const labels = other.spec.template.metadata.labels;
      t.notOk(matches(service.spec.selector ?? {}, labels), `${overlay}: the Service does not select ${other.kind} ${other.metadata.name}`);
      t.notOk(matches(pdb.spec.selector.matchLabels, labels), `${overlay}: the PodDisruptionBudget does not select ${other.kind} ${other.metadata.name}`);
    }

    // The database host is a Service of the overlay.
    if (config.database !== undefined) {
      const database = find<ServiceObject>(objects, 'Service', config.database.host);
      t.ok(database, `${overlay}: database.host ${config.database.host} is a Service here`);
    }
  }
});

t.test('postgres-demo: its PostgreSQL is what config.yaml connects to', { skip }, async (t) => {
  const objects = await render(overlayTree('postgres-demo'));
  const { workload: deployment, container } = registryDeployment(objects);
  const config = parseYaml(mountedConfig(objects, deployment, container).text) as ConfigFile;
  const database = config.database;
  if (database === undefined) throw new Error('postgres-demo has no database block');

  // Only sslMode differs from the base's config (the demo PostgreSQL has no certificate).
  const base = parseYaml(await readFile(join(KUBERNETES_DIR, 'base', 'config.yaml'), 'utf8')) as ConfigFile;
  t.equal(database.sslMode, 'disable');
  t.same({ ...config, database: { ...database, sslMode: base.database?.sslMode } }, base, 'the rest is the base config');

  const statefulSet = find<Workload>(objects, 'StatefulSet', 'registry-postgres');
  const postgres = statefulSet.spec.template.spec.containers[0] as Container;
  const service = find<ServiceObject>(objects, 'Service', database.host);
  t.ok(matches(service.spec.selector ?? {}, statefulSet.spec.template.metadata.labels), 'database.host is the Service of the StatefulSet');
  const servicePort = service.spec.ports?.find((p) => p.port === database.port);
  t.equal(containerPort(postgres, servicePort?.targetPort ?? -1), 5432, 'database.port reaches PostgreSQL');
  t.equal(envOf(postgres, 'POSTGRES_DB'), database.database, 'POSTGRES_DB is database.database');
  t.equal(envOf(postgres, 'DB_MIGRATOR_USER'), database.migrationUser, 'the init script creates database.migrationUser');
  t.equal(envOf(postgres, 'DB_APP_USER'), database.user, 'the init script creates database.user');
  // The users' passwords are the files the registry pods read.
  const secretVolume = volumeFor(deployment, container, database.passwordFile ?? '').volume;
  const keyOf = (name: string) => postgres.env?.find((variable) => variable.name === name)?.valueFrom?.secretKeyRef;
  t.same(keyOf('DB_APP_PASSWORD'), { name: secretVolume.secret?.secretName, key: basename(database.passwordFile ?? '') }, 'db_app: the same password');
  t.same(
    keyOf('DB_MIGRATOR_PASSWORD'),
    { name: secretVolume.secret?.secretName, key: basename(database.migrationPasswordFile ?? '') },
    'db_migrator: the same password',
  );

  // The init script is the Docker Compose setup's, through deploy/postgres/kustomization.yaml.
  const init = generatedConfigMap(objects, 'registry-postgres-init');
  const initMount = postgres.volumeMounts?.find((m) => m.mountPath === '/docker-entrypoint-initdb.d');
  t.equal(statefulSet.spec.template.spec.volumes?.find((v) => v.name === initMount?.name)?.configMap?.name, init.metadata.name, 'mounted where the image runs it');
  const original = join(REPO_ROOT, 'deploy', 'postgres', 'init');
  for (const name of await readdir(original)) {
    t.equal(
      init.data[name],
      await readFile(join(original, name), 'utf8'),
      `${name} is deploy/postgres/init/${name}`,
    );
  }
  t.same(Object.keys(init.data).sort(), (await readdir(original)).sort(), 'and there is nothing else');
});

t.test('kubernetes: the server may get, list and watch the MCP server resources, and nothing else', { skip }, async (t) => {
  interface Rule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
  }
  const objects = await render(overlayTree('kubernetes'));
  const { workload: deployment, container } = registryDeployment(objects);
  const config = parseYaml(mountedConfig(objects, deployment, container).text) as ConfigFile;
  t.equal(config.source.type, 'kubernetes', 'config.yaml has a kubernetes source');

  const role = find<K8sObject & { rules: Rule[] }>(objects, 'ClusterRole', 'thv-registry-kubernetes-source');
  t.same(
    role.rules,
    [{ apiGroups: ['toolhive.stacklok.dev'], resources: ['mcpservers', 'virtualmcpservers', 'mcpremoteproxies'], verbs: ['get', 'list', 'watch'] }],
    'read-only access to the three ToolHive resources',
  );
  const binding = find<K8sObject & { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace?: string }[] }>(
    objects,
    'ClusterRoleBinding',
    'thv-registry-kubernetes-source',
  );
  t.same(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
  const namespace = (deployment.metadata as Metadata & { namespace?: string }).namespace;
  t.same(
    binding.subjects,
    [{ kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace }],
    "bound to the Deployment's service account, in the Deployment's namespace",
  );
  t.ok(objects.some((object) => object.kind === 'Namespace' && object.metadata.name === namespace), `the namespace ${namespace} is created`);
});

t.test('the kubernetes overlay: in a pod, the server watches the cluster with its service account', { skip }, async (t) => {
  const objects = await render(overlayTree('kubernetes'));
  const { workload, container } = registryDeployment(objects);
  const { configMap, path } = mountedConfig(objects, workload, container);
  const token = randomBytes(16).toString('hex');
  const emulator = await startEmulator(t, { tls: true, token });
  emulator.apply(exportedResource('MCPServer', 'team-a', 'weather'));
  emulator.apply(toolhiveResource('MCPServer', 'team-b', 'scratch', { status: { phase: 'Running' } }));

  // The pod's files: the ConfigMap at /config, the service account's token and CA (as the kubelet
  // mounts them, under THV_REGISTRY_SERVICEACCOUNT_ROOT), the API server in the environment.
  const dir = t.testdir();
  const config = await writeConfigMap(join(dir, 'config'), configMap, path);
  const account = join(dir, 'root', 'var', 'run', 'secrets', 'kubernetes.io', 'serviceaccount');
  await mkdir(account, { recursive: true });
  await writeFile(join(account, 'token'), token);
  await writeFile(join(account, 'ca.crt'), emulator.ca ?? '');
  const serve = await serveAsDeployed(t, container, path, config, {
    NODE_OPTIONS: envOf(container, 'NODE_OPTIONS') ?? '',
    THV_DATA_DIR: join(dir, 'data'),
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: String(emulator.port),
    THV_REGISTRY_SERVICEACCOUNT_ROOT: join(dir, 'root'),
    HOME: dir,
  });
  const readinessPath = container.readinessProbe?.httpGet?.path;
  await pollUntil(`${readinessPath} 200`, async () => ((await get(`${serve.baseUrl}${readinessPath}`)).status === 200 ? true : undefined));
  const list = await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers`);
  t.same(list.body.servers.map(({ server }) => server.name), ['com.example.mcp/team-a.weather'], 'the exported MCPServer, every namespace watched');
  const deployed = await get<{ total: number }>(`${serve.baseUrl}/api/v0/deployed`);
  t.equal(deployed.body.total, 2, '/api/v0/deployed lists both');
  t.ok(emulator.requests.every((request) => request.authorized), "every request carried the service account's token");
  t.same(await serve.stop('SIGTERM'), { code: 0, signal: null });
});

t.test("the manifests' commands are commands of this CLI with flags it has", { skip }, async (t) => {
  const seen = new Set<string>();
  for (const overlay of OVERLAYS) {
    for (const { workload, container } of registryContainers(await render(overlayTree(overlay)))) {
      t.equal(container.command, undefined, `${overlay}: ${workload.kind} ${workload.metadata.name} keeps the image's entrypoint (thv-registry-api)`);
      const args = container.args ?? [];
      if (seen.has(args.join(' '))) continue;
      seen.add(args.join(' '));
      const words = args.slice(0, args.findIndex((arg) => arg.startsWith('-')));
      const help = await runCli(t, [...words, '--help']);
      t.equal(help.code, 0, `thv-registry-api ${words.join(' ')} is a command`);
      for (const flag of args.filter((arg) => arg.startsWith('--')).map((arg) => arg.replace(/=.*$/, '').slice(2))) {
        t.match(help.stdout, new RegExp(`--(\\[no-\\])?${flag}\\b`), `${words.join(' ')} has --${flag}`);
      }
    }
  }
  t.same([...seen].sort(), ['migrate up --config /config/config.yaml --yes', 'serve --config /config/config.yaml'], 'serve and migrate up');
});

/** Writes the ConfigMap's keys into `dir` (as the pod sees /config) and returns the config path there. */
async function writeConfigMap(dir: string, configMap: ConfigMapObject, configPath: string, config?: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [key, value] of Object.entries(configMap.data)) await writeFile(join(dir, key), value);
  const local = join(dir, posix.basename(configPath));
  if (config !== undefined) await writeFile(local, config);
  return local;
}

/** The manifest's arguments with the pod's /config path replaced by `local`. */
function localArgs(args: readonly string[], podPath: string, local: string): string[] {
  return args.map((arg) => (arg === podPath ? local : arg));
}

/** Starts `serve` with the arguments of the manifest (the config path made local) on a free loopback port. */
async function serveAsDeployed(t: Test, container: Container, podPath: string, local: string, env: Record<string, string>): Promise<ServeProcess> {
  const args = localArgs(container.args ?? [], podPath, local);
  t.same(args.slice(0, 3), ['serve', '--config', local], 'the Deployment runs serve --config');
  return ServeProcess.start(t, local, { args: [...args.slice(3), '--address', '127.0.0.1:0'], env });
}

t.test('the file overlay: the server answers its probes and serves the ConfigMap catalog', { skip }, async (t) => {
  const objects = await render(overlayTree('file'));
  const { workload, container } = registryDeployment(objects);
  const { configMap, path } = mountedConfig(objects, workload, container);
  const dir = t.testdir();
  // As in the pod: the ConfigMap's keys in one directory, the data directory elsewhere. Only the
  // directories and the listen address differ (THV_DATA_DIR and --address).
  const config = await writeConfigMap(join(dir, 'config'), configMap, path);
  const dataDir = join(dir, 'data');
  const env = { NODE_OPTIONS: envOf(container, 'NODE_OPTIONS') ?? '', THV_DATA_DIR: dataDir };
  const started = Date.now();
  const serve = await serveAsDeployed(t, container, path, config, env);
  t.comment(`listening ${Date.now() - started} ms after start`);

  for (const probe of ['startupProbe', 'livenessProbe'] as const) {
    const answer = await get(`${serve.baseUrl}${container[probe]?.httpGet?.path}`);
    t.equal(answer.status, 200, `${probe} ${container[probe]?.httpGet?.path} answers 200`);
  }
  const readinessPath = container.readinessProbe?.httpGet?.path;
  const ready = await pollUntil(`${readinessPath} 200`, async () => {
    const answer = await get<{ status: string; degraded: unknown[] }>(`${serve.baseUrl}${readinessPath}`);
    return answer.status === 200 ? answer : undefined;
  });
  t.match(ready.body, { status: 'ready', degraded: [] }, `readinessProbe ${readinessPath} answers 200 once the catalog is loaded`);
  t.comment(`ready ${Date.now() - started} ms after start`);

  const catalog = JSON.parse(configMap.data['registry.json'] ?? '{}') as { servers?: object; remote_servers?: object };
  const entries = Object.keys(catalog.servers ?? {}).length + Object.keys(catalog.remote_servers ?? {}).length;
  const list = await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers`);
  t.equal(list.body.metadata.count, entries, `serves the ${entries} servers of the ConfigMap's registry.json`);
  const stored = await pollUntil('a snapshot in THV_DATA_DIR', async () => {
    const files = await readdir(dataDir, { recursive: true }).catch(() => []);
    return files.length > 0 ? files : undefined;
  });
  t.ok(stored.length > 0, 'the fs storage writes to THV_DATA_DIR (the emptyDir), not next to the config');

  const stopping = Date.now();
  t.same(await serve.stop('SIGTERM'), { code: 0, signal: null }, 'SIGTERM stops it cleanly');
  t.comment(`stopped ${Date.now() - stopping} ms after SIGTERM`);
});

async function psqlMajor(): Promise<number | undefined> {
  try {
    const { stdout } = await run('psql', ['--version'], { timeout: 10_000 });
    return Number(/(\d+)(\.\d+)?/.exec(stdout)?.[1]);
  } catch {
    return undefined;
  }
}

const psql = await psqlMajor();
const psqlSkip = skip || (psql === undefined || psql < 15 ? 'psql 15 or later is not installed: the postgres-demo init script is not run' : false);

t.test('postgres-demo against PostgreSQL: init script, migration Job as db_migrator, serve as db_app', { skip: psqlSkip }, async (t) => {
  const objects = await render(overlayTree('postgres-demo'));
  const { workload: deployment, container } = registryDeployment(objects);
  const { workload: job, container: migrate } = registryContainers(objects).find(({ workload }) => workload.kind === 'Job') ?? {};
  if (job === undefined || migrate === undefined) throw new Error('postgres-demo has no migration Job');
  const { text, configMap, path } = mountedConfig(objects, deployment, container);
  t.equal(mountedConfig(objects, job, migrate).configMap, configMap, 'the Job reads the same config');
  const statefulSet = find<Workload>(objects, 'StatefulSet', 'registry-postgres');
  const postgres = statefulSet.spec.template.spec.containers[0] as Container;

  // Roles are cluster-wide: unique names stand in for db_migrator and db_app. Their teardown is
  // registered first so that it runs after the database's (db_migrator owns its schema).
  const server = await acquireTestServer();
  const migrator = uniqueName('k8s_migrator');
  const app = uniqueName('k8s_app');
  dropRoleAtTeardown(t, server, app);
  dropRoleAtTeardown(t, server, migrator);
  const db = await createTestDatabase(t, server);
  const passwords = { migrator: randomBytes(12).toString('hex'), app: randomBytes(12).toString('hex') };

  // 1. The image's init: the script of the ConfigMap, as the superuser against POSTGRES_DB.
  const init = generatedConfigMap(objects, 'registry-postgres-init');
  const dir = t.testdir();
  const initDir = join(dir, 'docker-entrypoint-initdb.d');
  await mkdir(initDir);
  for (const [name, script] of Object.entries(init.data)) {
    await writeFile(join(initDir, name), script, { mode: 0o555 });
    const { stdout } = await run(join(initDir, name), [], {
      timeout: 30_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        PGHOST: db.host,
        PGPORT: String(db.port),
        ...(db.adminPassword === undefined ? {} : { PGPASSWORD: db.adminPassword }),
        POSTGRES_USER: db.adminUser,
        POSTGRES_DB: db.database,
        DB_MIGRATOR_USER: migrator,
        DB_MIGRATOR_PASSWORD: passwords.migrator,
        DB_APP_USER: app,
        DB_APP_PASSWORD: passwords.app,
      },
    });
    t.comment(stdout.trim());
  }
  t.ok(envOf(postgres, 'POSTGRES_USER'), 'the StatefulSet names its superuser');

  // 2. The pods' files: the Secret's keys at /secrets, the ConfigMap's at /config. What must
  // change to run here: the database's address, name and user names, and the catalog's git
  // repository (a local one with the same path and branch: there is no network).
  const config = parseYaml(text) as ConfigFile;
  const database = config.database;
  if (database === undefined || config.source.git === undefined) throw new Error('postgres-demo: expected a git source and a database');
  const secretsDir = join(dir, 'secrets');
  await mkdir(secretsDir);
  await writeFile(join(secretsDir, basename(database.passwordFile ?? 'db-password')), `${passwords.app}\n`);
  await writeFile(join(secretsDir, basename(database.migrationPasswordFile ?? 'db-migration-password')), `${passwords.migrator}\n`);
  const git = config.source.git;
  const catalog = JSON.parse(await readFile(join(KUBERNETES_DIR, 'overlays', 'file', 'registry.json'), 'utf8')) as {
    servers: object;
    remote_servers: object;
  };
  const repository = join(dir, 'repos', 'catalog.git');
  await createBareRepo(repository, { [git.path]: JSON.stringify(catalog) }, { branch: git.branch ?? 'main' });
  const local = {
    ...config,
    source: { ...config.source, git: { ...git, repository } },
    database: {
      ...database,
      host: db.host,
      port: db.port,
      database: db.database,
      user: app,
      migrationUser: migrator,
      passwordFile: join(secretsDir, basename(database.passwordFile ?? '')),
      migrationPasswordFile: join(secretsDir, basename(database.migrationPasswordFile ?? '')),
    },
  };
  const localConfig = await writeConfigMap(join(dir, 'config'), configMap, path, stringifyYaml(local));

  // 3. The Job.
  const migrated = await runCli(t, localArgs(migrate.args ?? [], path, localConfig));
  t.equal(migrated.code, 0, `migrate up as db_migrator: ${migrated.stderr}`);
  t.match(migrated.stdout, /applied migrations? [\d, ]+ \(schema now at \d+\)/);
  const admin = await db.adminClient();
  const owners = await admin.query<{ tableowner: string }>("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'");
  t.same(owners.rows.map((row) => row.tableowner), [migrator], 'db_migrator owns the tables');

  // 4. The Deployment: serve, ready on the readiness probe's path, serving the catalog.
  const serve = await serveAsDeployed(t, container, path, localConfig, {
    NODE_OPTIONS: envOf(container, 'NODE_OPTIONS') ?? '',
    THV_DATA_DIR: join(dir, 'data'),
  });
  const readinessPath = container.readinessProbe?.httpGet?.path;
  await pollUntil(`${readinessPath} 200`, async () => ((await get(`${serve.baseUrl}${readinessPath}`)).status === 200 ? true : undefined), {
    timeoutMs: 30_000,
  });
  const entries = Object.keys(catalog.servers).length + Object.keys(catalog.remote_servers).length;
  t.equal((await get<ServerListBody>(`${serve.baseUrl}/v0.1/servers`)).body.metadata.count, entries, 'ready, and serving the catalog from git');
  const stored = await admin.query<{ count: string }>('SELECT count(*) FROM registry_entries');
  t.equal(Number(stored.rows[0]?.count), entries, 'committed to PostgreSQL');
  const sessions = await admin.query<{ usename: string }>('SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.database]);
  t.same(sessions.rows.map((row) => row.usename), [app], 'the server connects as db_app');
  t.same(await serve.stop('SIGTERM'), { code: 0, signal: null });

  // 5. db_app reads and writes data, and changes no schema.
  const client = new pg.Client({ host: db.host, port: db.port, database: db.database, user: app, password: passwords.app });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => client.end().catch(() => undefined));
  t.ok((await client.query('SELECT count(*) FROM registry_entries')).rows.length, 'db_app reads the data');
  await t.rejects(client.query('CREATE TABLE intruder (id int)'), { code: '42501' }, 'db_app cannot CREATE TABLE');
  await t.rejects(client.query('DROP TABLE registry_entries'), { code: '42501' }, 'db_app cannot DROP TABLE');
});
