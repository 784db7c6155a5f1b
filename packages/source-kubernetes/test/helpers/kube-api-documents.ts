/**
 * The JSON documents a Kubernetes API server answers with, as the {@link KubeApiEmulator} serves
 * them: discovery (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`), lists and
 * `Status` errors. Self-contained, so that the emulator does not share a constant with the code
 * it tests.
 */

/** A custom resource type the emulator serves. */
export interface EmulatedResourceType {
  readonly group: string;
  readonly kind: string;
  /** The resource name in URLs: `mcpservers`. */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames?: readonly string[];
}

/** API group of ToolHive's custom resources. */
export const TOOLHIVE_GROUP = 'toolhive.stacklok.dev';

/** ToolHive's namespaced custom resources. */
export const TOOLHIVE_RESOURCE_TYPES: readonly EmulatedResourceType[] = [
  { group: TOOLHIVE_GROUP, kind: 'MCPServer', plural: 'mcpservers', singular: 'mcpserver', shortNames: ['mcpserver', 'mcpservers'] },
  { group: TOOLHIVE_GROUP, kind: 'VirtualMCPServer', plural: 'virtualmcpservers', singular: 'virtualmcpserver', shortNames: ['vmcp'] },
  { group: TOOLHIVE_GROUP, kind: 'MCPRemoteProxy', plural: 'mcpremoteproxies', singular: 'mcpremoteproxy', shortNames: ['rp'] },
];

/** Which kinds each version of the group serves: `{ v1beta1: ['MCPServer'], v1alpha1: [...] }`. Order: preferred first. */
export type ServedVersions = Readonly<Record<string, readonly string[]>>;

/** Every ToolHive kind at v1beta1 (preferred) and v1alpha1. */
export const ALL_TOOLHIVE_VERSIONS: ServedVersions = {
  v1beta1: TOOLHIVE_RESOURCE_TYPES.map((type) => type.kind),
  v1alpha1: TOOLHIVE_RESOURCE_TYPES.map((type) => type.kind),
};

/** A Kubernetes `Status` (the body of every error). */
export function statusBody(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** `GET /api`: the core group's versions. */
export function apiVersionsDocument(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** The versions that serve at least one kind, preferred first. */
export function servedVersionNames(served: ServedVersions): string[] {
  return Object.entries(served)
    .filter(([, kinds]) => kinds.length > 0)
    .map(([version]) => version);
}

/** `GET /apis/<group>`: the group with its served versions; undefined when it serves none. */
export function apiGroupDocument(group: string, served: ServedVersions): Record<string, unknown> | undefined {
  const versions = servedVersionNames(served).map((version) => ({ groupVersion: `${group}/${version}`, version }));
  if (versions.length === 0) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
}

/** `GET /apis`: every group served (here at most the ToolHive group). */
export function apiGroupListDocument(group: string, served: ServedVersions): Record<string, unknown> {
  const document = apiGroupDocument(group, served);
  const groups = document === undefined ? [] : [{ name: document['name'], versions: document['versions'], preferredVersion: document['preferredVersion'] }];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `GET /apis/<group>/<version>`: the resources of one version, each with its status subresource. */
export function apiResourceListDocument(group: string, version: string, types: readonly EmulatedResourceType[]): Record<string, unknown> {
  const verbs = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
  const resources = types.flatMap((type) => [
    { name: type.plural, singularName: type.singular, namespaced: true, kind: type.kind, verbs, shortNames: type.shortNames ?? [], storageVersionHash: '' },
    { name: `${type.plural}/status`, singularName: '', namespaced: true, kind: type.kind, verbs: ['get', 'patch', 'update'] },
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
}

/** A list of objects of one kind: `{ apiVersion, kind: <Kind>List, metadata: { resourceVersion }, items }`. */
export function listDocument(apiVersion: string, kind: string, resourceVersion: number, items: readonly unknown[]): Record<string, unknown> {
  return { apiVersion, kind: `${kind}List`, metadata: { resourceVersion: String(resourceVersion) }, items };
}
