import { PUBLISHER_META_KEY, SERVER_SCHEMA_URL } from '@thv/registry-core';
import semver from 'semver';
import type { ExportSettings } from './annotations.js';
import { omitUndefined } from './omit-undefined.js';
import type { RemoteTransportType } from './resource-fields.js';

/** ToolHive's namespace inside the publisher-provided `_meta` block, as core's ToolHive format writes it. */
export const TOOLHIVE_META_NAMESPACE = 'io.github.stacklok';

/** The version of an entry whose annotation and image tag give none, as ToolHive does. */
export const DEFAULT_VERSION = '1.0.0';

/** The longest description server.json allows. */
const MAX_DESCRIPTION = 100;

/** Where an exported resource comes from and how it is reached. */
export interface ExportedResource {
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  image?: string;
  /** The transport the resource declares (`stdio` for an MCPServer run over stdio). */
  transport?: string;
  /** The transport of the entry's remote. */
  remoteType: RemoteTransportType;
  /** The entry's remote URL (the annotation, else `status.url`). */
  url: string;
}

/** The entry name of a resource: `<namePrefix>/<namespace>.<name>`. */
export function entryName(namePrefix: string, namespace: string, name: string): string {
  return `${namePrefix}/${namespace}.${name}`;
}

/**
 * The server.json document of an exported resource (not validated): one remote, and ToolHive's
 * metadata under `_meta[publisher-provided]["io.github.stacklok"][<url>]` as core's ToolHive
 * format lays it out, with the resource's identity under `metadata.kubernetes`.
 */
export function buildServer(resource: ExportedResource, settings: ExportSettings, namePrefix: string): Record<string, unknown> {
  const kubernetes = omitUndefined({
    kind: resource.kind,
    namespace: resource.namespace,
    name: resource.name,
    uid: resource.uid,
    image: resource.image,
    transport: resource.transport,
  });
  const toolhive = omitUndefined({
    status: 'active',
    tools: settings.tools,
    tool_definitions: settings.toolDefinitions,
    tags: settings.category === undefined ? undefined : [settings.category],
    metadata: { kubernetes },
  });
  return omitUndefined({
    $schema: SERVER_SCHEMA_URL,
    name: entryName(namePrefix, resource.namespace, resource.name),
    title: settings.title,
    description: settings.description ?? generatedDescription(resource),
    version: settings.version ?? imageVersion(resource.image) ?? DEFAULT_VERSION,
    icons: settings.icon === undefined ? undefined : [{ src: settings.icon }],
    remotes: [{ type: resource.remoteType, url: resource.url }],
    _meta: { [PUBLISHER_META_KEY]: { [TOOLHIVE_META_NAMESPACE]: { [resource.url]: toolhive } } },
  });
}

/** `MCPServer default/fetch in Kubernetes`, cut to the length server.json allows. */
function generatedDescription(resource: ExportedResource): string {
  const text = `${resource.kind} ${resource.namespace}/${resource.name} in Kubernetes`;
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}

/** The image's tag when it is a semver version (`ghcr.io/x/fetch:v1.2.0` → `1.2.0`), else undefined. */
export function imageVersion(image: string | undefined): string | undefined {
  if (image === undefined) return undefined;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1).split('@')[0] ?? '';
  const colon = lastSegment.indexOf(':');
  return colon === -1 ? undefined : (semver.valid(lastSegment.slice(colon + 1)) ?? undefined);
}
