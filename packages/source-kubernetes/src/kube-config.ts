import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '@thv/registry-core';

/**
 * Where a pod's service-account files are (`token`, `ca.crt`, `namespace`): the path the
 * Kubernetes client reads in-cluster.
 */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Environment variable naming a directory that stands for `/` when the service-account files are
 * looked for: with `/tmp/sa`, the token is read from
 * `/tmp/sa/var/run/secrets/kubernetes.io/serviceaccount/token`. Unset in a pod; meant for tests
 * and for service-account files mounted elsewhere. It is the client's `loadFromCluster` prefix.
 */
export const SERVICE_ACCOUNT_ROOT_ENV = 'THV_REGISTRY_SERVICEACCOUNT_ROOT';

/** The Kubernetes configuration the source connects with. */
export interface LoadedKubeConfig {
  readonly kubeConfig: KubeConfig;
  /** The API server's URL without credentials, query or fragment: `https://10.0.0.1:443`. */
  readonly server: string;
  /** Where the configuration came from, for logs: `kubeconfig /path`, `in-cluster service account` … */
  readonly origin: string;
}

/** What chooses the configuration. */
export interface KubeConfigChoice {
  /** An absolute kubeconfig path from the config block. */
  readonly kubeconfig?: string;
  /** The context to use instead of the current-context. */
  readonly context?: string;
}

/**
 * Loads the Kubernetes configuration, the first of: the `kubeconfig` of the block; the files of
 * `$KUBECONFIG`; the in-cluster service account, when `KUBERNETES_SERVICE_HOST` and
 * `KUBERNETES_SERVICE_PORT` are set and the token file exists; `~/.kube/config`. Reads local files
 * only (no request is made). A configuration that cannot be used is a `ConfigError` that names it
 * and never quotes its content.
 */
export function loadKubeConfig(choice: KubeConfigChoice): LoadedKubeConfig {
  const kubeConfig = new KubeConfig();
  const origin = load(kubeConfig, choice);
  if (choice.context !== undefined) useContext(kubeConfig, choice.context, origin);
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server === undefined || server === '') {
    throw new ConfigError(`kubernetes source: ${origin} has no current cluster; set kubernetes.context or the kubeconfig's current-context`);
  }
  return { kubeConfig, server: safeServerUrl(server, origin), origin };
}

function load(kubeConfig: KubeConfig, choice: KubeConfigChoice): string {
  const kubeconfigEnv = process.env['KUBECONFIG'] ?? '';
  if (choice.kubeconfig !== undefined) {
    return loading(`kubeconfig ${choice.kubeconfig}`, () => kubeConfig.loadFromFile(choice.kubeconfig as string));
  }
  if (kubeconfigEnv !== '') return loading(`KUBECONFIG ${kubeconfigEnv}`, () => kubeConfig.loadFromDefault());
  const root = process.env[SERVICE_ACCOUNT_ROOT_ENV] ?? '';
  if (inCluster(root)) {
    if (choice.context !== undefined) {
      throw new ConfigError('kubernetes source: context is set, but the in-cluster service account has no contexts; remove it or set kubeconfig');
    }
    return loading('in-cluster service account', () => kubeConfig.loadFromCluster(root));
  }
  const defaultPath = join(homedir(), '.kube', 'config');
  if (existsSync(defaultPath)) return loading(`kubeconfig ${defaultPath}`, () => kubeConfig.loadFromFile(defaultPath));
  throw new ConfigError(
    'kubernetes source: no Kubernetes configuration found: set kubernetes.kubeconfig or KUBECONFIG, run in a pod with a service account, or create ~/.kube/config',
  );
}

function inCluster(root: string): boolean {
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = process.env;
  return Boolean(host) && Boolean(port) && existsSync(`${root}${SERVICE_ACCOUNT_DIR}/token`);
}

function loading(origin: string, loadIt: () => void): string {
  try {
    loadIt();
  } catch (error) {
    throw new ConfigError(`kubernetes source cannot load ${origin}: ${loadFailure(error)}`, { cause: error });
  }
  return origin;
}

function useContext(kubeConfig: KubeConfig, context: string, origin: string): void {
  const names = kubeConfig.getContexts().map((known) => known.name);
  if (!names.includes(context)) {
    const known = names.length === 0 ? 'it has none' : `it has ${names.join(', ')}`;
    throw new ConfigError(`kubernetes source: context "${context}" is not in ${origin} (${known})`);
  }
  kubeConfig.setCurrentContext(context);
}

/** Why a kubeconfig could not be loaded, without quoting the file (it may hold a token). */
function loadFailure(error: unknown): string {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const fsReasons: Record<string, string> = { ENOENT: 'file not found', EACCES: 'permission denied', EISDIR: 'is a directory' };
  const code = typeof record['code'] === 'string' ? record['code'] : '';
  if (code in fsReasons) return fsReasons[code] as string;
  // js-yaml quotes the lines around a syntax error; its reason and position are enough.
  const mark = record['mark'] as { line?: number; column?: number } | undefined;
  if (typeof record['reason'] === 'string' && mark !== undefined) {
    return `not valid YAML: ${record['reason']} (line ${(mark.line ?? 0) + 1}, column ${(mark.column ?? 0) + 1})`;
  }
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function safeServerUrl(server: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ConfigError(`kubernetes source: the cluster server of ${origin} is not a URL`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
