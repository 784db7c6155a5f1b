import type { KubeClient } from './kube-client.js';
import { TOOLHIVE_VERSIONS, WATCHED_KINDS, type ToolhiveVersion, type WatchedKind } from './toolhive-resources.js';

/** Which watched kinds the cluster serves, each at the version to use, and which it does not. */
export interface ServedKinds {
  readonly served: ReadonlyArray<WatchedKind & { readonly version: ToolhiveVersion }>;
  readonly missing: readonly WatchedKind[];
}

/**
 * Asks the API server which ToolHive kinds it serves (API discovery: the group's versions, then the
 * resources of each version the source reads, until every kind is found). Each kind is read at the
 * first version of {@link TOOLHIVE_VERSIONS} that serves it, so v1beta1 is preferred to v1alpha1.
 */
export async function discoverKinds(client: KubeClient, signal: AbortSignal): Promise<ServedKinds> {
  const groupVersions = await client.groupVersions(signal);
  const served: Array<WatchedKind & { version: ToolhiveVersion }> = [];
  let missing: readonly WatchedKind[] = WATCHED_KINDS;
  for (const version of TOOLHIVE_VERSIONS) {
    if (missing.length === 0 || !groupVersions.includes(version)) continue;
    const resources = await client.resourceNames(version, signal);
    served.push(...missing.filter((kind) => resources.has(kind.plural)).map((kind) => ({ ...kind, version })));
    missing = missing.filter((kind) => !resources.has(kind.plural));
  }
  return { served, missing };
}
