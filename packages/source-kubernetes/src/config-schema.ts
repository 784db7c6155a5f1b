import { DURATION_PATTERN } from '@thv/registry-core';

/** Default `namePrefix`: the namespace part of every entry name (`local.kubernetes/<namespace>.<name>`). */
export const DEFAULT_NAME_PREFIX = 'local.kubernetes';

/** Default `timeout`: how long a fetch waits for the first list of every watched resource. */
export const DEFAULT_TIMEOUT = '30s';

/** A Kubernetes namespace name: a DNS-1123 label. */
export const NAMESPACE_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';

/**
 * A reverse-DNS name prefix as server.json names take it before the slash: two or more dot-separated
 * labels of letters, digits and inner hyphens (`local.kubernetes`, `com.example.cluster-1`).
 */
export const NAME_PREFIX_PATTERN = '^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+$';

/**
 * JSON schema of the `source.kubernetes` block. Every field is optional: with none, the source
 * watches every namespace of the cluster that the environment's Kubernetes configuration points at.
 */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kubeconfig: {
      type: 'string',
      minLength: 1,
      description:
        'Path of a kubeconfig file (relative to the config file). Without it: $KUBECONFIG, else the in-cluster service account, else ~/.kube/config.',
    },
    context: {
      type: 'string',
      minLength: 1,
      description: 'Context of the kubeconfig to use; default: its current-context.',
    },
    namespaces: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: {
        type: 'string',
        pattern: NAMESPACE_PATTERN,
        errorMessage: 'must be a namespace name (a DNS-1123 label: lowercase letters, digits and inner hyphens, at most 63)',
      },
      errorMessage: {
        minItems: 'must list at least one namespace; leave it out to watch every namespace',
        uniqueItems: 'must not list a namespace twice',
      },
      description:
        'Namespaces to watch. Without it: the comma-separated THV_REGISTRY_WATCH_NAMESPACE, else every namespace (cluster-wide).',
    },
    namePrefix: {
      type: 'string',
      maxLength: 100,
      pattern: NAME_PREFIX_PATTERN,
      default: DEFAULT_NAME_PREFIX,
      errorMessage: 'must be a reverse-DNS name such as local.kubernetes or com.example.cluster',
      description: 'Namespace part of the entry names: <namePrefix>/<namespace>.<resource name>.',
    },
    timeout: {
      type: 'string',
      pattern: DURATION_PATTERN,
      default: DEFAULT_TIMEOUT,
      description: 'How long a fetch waits for the first list of the watched resources (e.g. 30s, 2m).',
    },
  },
} as const;

/** The `source.kubernetes` block as the plugin receives it (defaults not applied yet). */
export interface KubernetesSourceConfig {
  /** Path of a kubeconfig file, relative to the config file. */
  kubeconfig?: string;
  /** Context of the kubeconfig; default its current-context. */
  context?: string;
  /** Namespaces to watch; default THV_REGISTRY_WATCH_NAMESPACE, else every namespace. */
  namespaces?: string[];
  /** Default {@link DEFAULT_NAME_PREFIX}. */
  namePrefix?: string;
  /** Duration string, default {@link DEFAULT_TIMEOUT}. */
  timeout?: string;
}
