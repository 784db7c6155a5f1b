import type { KubeObject } from './toolhive-resources.js';

/** The transports a registry entry's remote can have. */
export type RemoteTransportType = 'streamable-http' | 'sse';

/** How a resource is reached, or why it cannot be told. */
export type RemoteTransportResult = { type: RemoteTransportType } | { problem: string };

const REMOTE_TRANSPORTS: ReadonlySet<string> = new Set<RemoteTransportType>(['streamable-http', 'sse']);

/** The transport a kind has when its spec says none (the operator's defaults). */
const DEFAULT_TRANSPORT: Readonly<Record<string, string>> = {
  MCPServer: 'stdio',
  MCPRemoteProxy: 'streamable-http',
  VirtualMCPServer: 'streamable-http',
};

/** A non-empty string field of a record, else undefined. */
export function textField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The object's annotations (string values only). */
export function annotationsOf(object: KubeObject): Record<string, string> {
  const annotations = object.metadata?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return {};
  return Object.fromEntries(Object.entries(annotations).filter(([, value]) => typeof value === 'string'));
}

/** The container image a resource runs (`spec.image`; only an MCPServer has one). */
export function imageOf(object: KubeObject): string | undefined {
  return textField(object.spec, 'image');
}

/** The transport as the resource declares it (`spec.transport`), else its kind's default. */
export function declaredTransport(kind: string, object: KubeObject): string | undefined {
  return textField(object.spec, 'transport') ?? DEFAULT_TRANSPORT[kind];
}

/**
 * The transport clients use to reach the resource. An MCPServer over stdio is reached through
 * ToolHive's proxy, whose protocol is `spec.proxyMode` (default streamable-http); a
 * VirtualMCPServer always speaks streamable-http.
 */
export function remoteTransportOf(kind: string, object: KubeObject): RemoteTransportResult {
  if (kind === 'VirtualMCPServer') return { type: 'streamable-http' };
  const transport = declaredTransport(kind, object);
  if (kind === 'MCPServer' && transport === 'stdio') return checked('spec.proxyMode', textField(object.spec, 'proxyMode') ?? 'streamable-http');
  return checked('spec.transport', transport ?? 'streamable-http');
}

function checked(field: string, value: string): RemoteTransportResult {
  if (REMOTE_TRANSPORTS.has(value)) return { type: value as RemoteTransportType };
  return { problem: `${field} "${value}" is not streamable-http or sse` };
}

/** Where the operator says the resource is reached (`status.url`). */
export function statusUrl(object: KubeObject): string | undefined {
  return textField(object.status, 'url');
}

/** The lifecycle phase of the resource's status (`Running`, `Pending`, `Failed` …). */
export function phaseOf(object: KubeObject): string | undefined {
  return textField(object.status, 'phase');
}

/** The `Ready` condition of the status: true, false, or undefined when it has none (or `Unknown`). */
export function readyOf(object: KubeObject): boolean | undefined {
  const conditions = object.status?.['conditions'];
  if (!Array.isArray(conditions)) return undefined;
  const ready = conditions.find((condition) => textField(condition as Record<string, unknown>, 'type') === 'Ready');
  const status = textField(ready as Record<string, unknown> | undefined, 'status');
  return status === 'True' ? true : status === 'False' ? false : undefined;
}

/** The creation time (`metadata.creationTimestamp`), RFC 3339. */
export function createdAtOf(object: KubeObject): string | undefined {
  const created = object.metadata?.creationTimestamp;
  return typeof created === 'string' && created !== '' ? created : undefined;
}
