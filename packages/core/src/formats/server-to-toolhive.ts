import type { KeyValueInput, Package, RemoteTransport, ServerJSON } from '../model/server-json.js';
import { envVarsFromRuntimeArguments } from './runtime-env-vars.js';
import { omitEmpty } from './omit-empty.js';
import { toolhiveBlockKeys, toolhiveExtensions } from './toolhive-meta.js';
import { toolhiveKey, toolhiveServerName } from './toolhive-names.js';
import type {
  ToolhiveEnvVar,
  ToolhiveExtensions,
  ToolhiveHeader,
  ToolhiveImageEntry,
  ToolhiveRemoteEntry,
} from './toolhive-types.js';

/** The outcome of {@link serverToToolhive}: a legacy entry and the key to file it under, or why not. */
export type ToolhiveConversion =
  | { ok: true; kind: 'server'; key: string; entry: ToolhiveImageEntry }
  | { ok: true; kind: 'remote'; key: string; entry: ToolhiveRemoteEntry }
  | { ok: false; reason: string };

/**
 * Rebuilds a ToolHive legacy entry from server.json, reversing `imageEntryToServer` /
 * `remoteEntryToServer`: a server with an OCI package becomes a container entry (the package with
 * a ToolHive block wins, else the first), otherwise its first remote becomes a remote entry.
 * Fields ToolHive kept under `_meta` come back; fields the legacy format requires but the server
 * lacks get neutral values (tier `Community`, status `Active`, no tools).
 */
export function serverToToolhive(server: ServerJSON): ToolhiveConversion {
  const key = toolhiveKey(server.name);
  const ociPackage = chooseOciPackage(server);
  if (ociPackage !== undefined) return { ok: true, kind: 'server', key, entry: toImageEntry(server, key, ociPackage) };
  const remote = server.remotes?.[0];
  if (remote !== undefined) return { ok: true, kind: 'remote', key, entry: toRemoteEntry(server, key, remote) };
  return {
    ok: false,
    reason: `${server.name} has no OCI package and no remote; the ToolHive format describes only containers and remote servers`,
  };
}

function chooseOciPackage(server: ServerJSON): Package | undefined {
  const ociPackages = (server.packages ?? []).filter((pkg) => pkg.registryType === 'oci');
  const described = toolhiveBlockKeys(server);
  return ociPackages.find((pkg) => described.includes(pkg.identifier)) ?? ociPackages[0];
}

function toImageEntry(server: ServerJSON, key: string, pkg: Package): ToolhiveImageEntry {
  const extensions = toolhiveExtensions(server, pkg.identifier);
  const envVars = [
    ...(pkg.environmentVariables ?? []).map(toEnvVar),
    ...envVarsFromRuntimeArguments(pkg.runtimeArguments),
  ];
  return {
    ...baseEntry(server, key, extensions),
    transport: pkg.transport.type,
    ...trailingBaseFields(server, extensions),
    image: pkg.identifier,
    ...omitEmpty({
      target_port: portOf(pkg.transport.url),
      proxy_port: extensions?.proxy_port,
      permissions: extensions?.permissions,
      env_vars: envVars,
      args: argumentsOf(pkg, extensions),
      docker_tags: extensions?.docker_tags,
      provenance: extensions?.provenance,
    }),
  };
}

function toRemoteEntry(server: ServerJSON, key: string, remote: RemoteTransport): ToolhiveRemoteEntry {
  const extensions = toolhiveExtensions(server, remote.url);
  return {
    ...baseEntry(server, key, extensions),
    transport: remote.type,
    ...trailingBaseFields(server, extensions),
    url: remote.url,
    ...omitEmpty({
      proxy_port: extensions?.proxy_port,
      headers: remote.headers?.map(toHeader),
      oauth_config: extensions?.oauth_config,
      env_vars: extensions?.env_vars,
    }),
  };
}

// Split around `transport` only to write keys in the order ToolHive's documents use.
function baseEntry(server: ServerJSON, key: string, extensions: ToolhiveExtensions | undefined) {
  return {
    // The name is implied by the key unless the server lives outside ToolHive's namespace.
    ...(toolhiveServerName(key) === server.name ? {} : { name: server.name }),
    ...omitEmpty({ title: server.title }),
    description: server.description,
    tier: extensions?.tier ?? 'Community',
    status: extensions?.status ?? 'Active',
  };
}

function trailingBaseFields(server: ServerJSON, extensions: ToolhiveExtensions | undefined) {
  return {
    tools: extensions?.tools ?? [],
    ...omitEmpty({
      metadata: extensions?.metadata,
      repository_url: server.repository?.url,
      tags: extensions?.tags,
      overview: extensions?.overview,
      tool_definitions: extensions?.tool_definitions,
      custom_metadata: extensions?.custom_metadata,
    }),
  };
}

// A stdio transport has no URL; an http transport's URL carries the container port, if any.
function portOf(url: unknown): number | undefined {
  if (typeof url !== 'string' || !URL.canParse(url)) return undefined;
  const port = new URL(url).port;
  return port === '' ? undefined : Number(port);
}

// Structured package arguments win over the copy in the ToolHive block, as in ToolHive.
function argumentsOf(pkg: Package, extensions: ToolhiveExtensions | undefined): string[] | undefined {
  const flattened = (pkg.packageArguments ?? []).flatMap((arg) =>
    [arg.type === 'named' ? arg.name : undefined, arg.value].filter((part): part is string => typeof part === 'string' && part !== ''),
  );
  return flattened.length > 0 ? flattened : extensions?.args;
}

function toEnvVar(input: KeyValueInput): ToolhiveEnvVar {
  return {
    name: input.name,
    description: input.description ?? '',
    required: input.isRequired ?? false,
    ...omitEmpty({ secret: input.isSecret, default: input.default }),
  };
}

function toHeader(input: KeyValueInput): ToolhiveHeader {
  return { ...toEnvVar(input), ...omitEmpty({ choices: input.choices }) };
}
