/** API group of the ToolHive operator's custom resources. */
export const TOOLHIVE_GROUP = 'toolhive.stacklok.dev';

/** The versions of {@link TOOLHIVE_GROUP} the source reads, the preferred one first. */
export const TOOLHIVE_VERSIONS = ['v1beta1', 'v1alpha1'] as const;

/** One version of {@link TOOLHIVE_GROUP}. */
export type ToolhiveVersion = (typeof TOOLHIVE_VERSIONS)[number];

/** A kind of ToolHive resource the source watches, with its resource name in URLs. */
export interface WatchedKind {
  /** `MCPServer`, `VirtualMCPServer` or `MCPRemoteProxy`. */
  readonly kind: string;
  /** The plural resource name: `mcpservers` … */
  readonly plural: string;
}

/** The watched kinds, in the order entries of equal name are preferred. */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  { kind: 'MCPServer', plural: 'mcpservers' },
  { kind: 'VirtualMCPServer', plural: 'virtualmcpservers' },
  { kind: 'MCPRemoteProxy', plural: 'mcpremoteproxies' },
];

/**
 * The parts of a Kubernetes object the source reads. Objects come from the network, so every
 * field is optional and read defensively.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** What one list or watch covers: a kind, at the version the cluster serves, in one namespace or all. */
export interface WatchTarget extends WatchedKind {
  readonly version: ToolhiveVersion;
  /** Undefined: every namespace. */
  readonly namespace?: string;
}

/** `MCPServer in team-a` or `MCPServer in all namespaces`, for messages. */
export function describeTarget(target: WatchTarget): string {
  return `${target.kind} in ${target.namespace === undefined ? 'all namespaces' : `namespace ${target.namespace}`}`;
}

/** The URL path of a target's collection: `/apis/<group>/<version>[/namespaces/<ns>]/<plural>`. */
export function collectionPath(target: WatchTarget): string {
  const scope = target.namespace === undefined ? '' : `/namespaces/${target.namespace}`;
  return `/apis/${TOOLHIVE_GROUP}/${target.version}${scope}/${target.plural}`;
}
