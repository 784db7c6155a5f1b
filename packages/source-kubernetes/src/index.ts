import { ConfigError, defineSourcePlugin, parseDuration, type SourceContext } from '@thv/registry-core';
import {
  configSchema,
  DEFAULT_NAME_PREFIX,
  DEFAULT_TIMEOUT,
  NAME_PREFIX_PATTERN,
  type KubernetesSourceConfig,
} from './config-schema.js';
import { loadKubeConfig } from './kube-config.js';
import { KubernetesSource } from './kubernetes-source.js';
import { watchNamespaces } from './watch-namespaces.js';

export * from './config-schema.js';
export { ANNOTATIONS, ANNOTATION_PREFIX } from './annotations.js';
export { KubernetesSource, type KubernetesSourceOptions } from './kubernetes-source.js';
export { loadKubeConfig, SERVICE_ACCOUNT_DIR, SERVICE_ACCOUNT_ROOT_ENV, type LoadedKubeConfig } from './kube-config.js';
export { TOOLHIVE_GROUP, TOOLHIVE_VERSIONS, WATCHED_KINDS } from './toolhive-resources.js';
export { WATCH_NAMESPACE_ENV } from './watch-namespaces.js';

/**
 * Builds the source for a validated `source.kubernetes` block. It reads the Kubernetes
 * configuration (a local file, or the service account's paths) but makes no request.
 */
function createKubernetesSource(config: KubernetesSourceConfig, ctx: SourceContext): KubernetesSource {
  if (ctx.format === 'toolhive') {
    throw new ConfigError('a kubernetes source delivers server.json entries; remove `format: toolhive` or set it to upstream');
  }
  const namePrefix = config.namePrefix ?? DEFAULT_NAME_PREFIX;
  if (!new RegExp(NAME_PREFIX_PATTERN).test(namePrefix)) {
    throw new ConfigError(`kubernetes source namePrefix "${namePrefix}" is not a reverse-DNS name such as local.kubernetes`);
  }
  const timeoutText = config.timeout ?? DEFAULT_TIMEOUT;
  const timeoutMs = parseDuration(timeoutText);
  if (timeoutMs === undefined || timeoutMs <= 0) {
    throw new ConfigError(`kubernetes source timeout "${timeoutText}" is not a positive duration (e.g. 30s)`);
  }
  const namespaces = watchNamespaces(config.namespaces, process.env);
  const kube = loadKubeConfig({
    ...(config.kubeconfig !== undefined && { kubeconfig: ctx.resolvePath(config.kubeconfig) }),
    ...(config.context !== undefined && { context: config.context }),
  });
  ctx.logger.debug({ origin: kube.origin, server: kube.server, namespaces: namespaces ?? 'all' }, 'kubernetes configuration loaded');
  return new KubernetesSource({
    kube,
    ...(namespaces !== undefined && { namespaces }),
    namePrefix,
    timeoutMs,
    timeoutText,
    logger: ctx.logger,
  });
}

/** The `kubernetes` source plugin: MCP servers run by ToolHive's operator in a Kubernetes cluster. */
export default defineSourcePlugin<typeof configSchema, KubernetesSourceConfig>({
  type: 'kubernetes',
  configSchema,
  create: createKubernetesSource,
});
