import type { KeyValueInput, LocalTransport, ServerJSON } from '../model/server-json.js';
import { SERVER_SCHEMA_URL } from '../model/server-schema.js';
import { DEFAULT_TOOLHIVE_VERSION, versionFromImage } from './image-version.js';
import { omitEmpty } from './omit-empty.js';
import { repositorySource } from './repository-source.js';
import { toolhiveMeta } from './toolhive-meta.js';
import { toolhiveServerName } from './toolhive-names.js';
import type {
  ToolhiveBaseEntry,
  ToolhiveEnvVar,
  ToolhiveExtensions,
  ToolhiveHeader,
  ToolhiveImageEntry,
  ToolhiveRemoteEntry,
} from './toolhive-types.js';

/**
 * Converts a legacy container entry to server.json with ToolHive's rules: the image becomes one OCI
 * package (transport, environment variables, arguments), ToolHive-only fields go under
 * `_meta[publisher-provided]["io.github.stacklok"][<image>]`. The result is not validated.
 */
export function imageEntryToServer(key: string, entry: ToolhiveImageEntry): ServerJSON {
  const extensions: ToolhiveExtensions = {
    ...baseExtensions(entry),
    ...omitEmpty({
      permissions: entry.permissions,
      args: entry.args,
      provenance: entry.provenance,
      docker_tags: entry.docker_tags,
      proxy_port: entry.proxy_port,
    }),
  };
  return {
    ...baseFields(key, entry),
    version: versionFromImage(entry.image),
    packages: [
      {
        registryType: 'oci',
        identifier: entry.image,
        transport: packageTransport(entry.transport ?? 'stdio', entry.target_port),
        ...omitEmpty({
          environmentVariables: entry.env_vars?.map(toKeyValueInput),
          // Arguments are also kept in the ToolHive block, as ToolHive does; here they are what any
          // MCP client understands.
          packageArguments: entry.args?.map((value) => ({ type: 'positional' as const, value })),
        }),
      },
    ],
    _meta: toolhiveMeta(entry.image, extensions),
  };
}

/**
 * Converts a legacy remote entry to server.json with ToolHive's rules: the URL becomes one remote
 * with its headers, ToolHive-only fields (OAuth, client env vars …) go under
 * `_meta[publisher-provided]["io.github.stacklok"][<url>]`. The result is not validated.
 */
export function remoteEntryToServer(key: string, entry: ToolhiveRemoteEntry): ServerJSON {
  const extensions: ToolhiveExtensions = {
    ...baseExtensions(entry),
    ...omitEmpty({ oauth_config: entry.oauth_config, env_vars: entry.env_vars, proxy_port: entry.proxy_port }),
  };
  return {
    ...baseFields(key, entry),
    version: DEFAULT_TOOLHIVE_VERSION,
    remotes: [
      {
        type: entry.transport,
        url: entry.url,
        ...omitEmpty({ headers: entry.headers?.map(toKeyValueInput) }),
      },
    ],
    _meta: toolhiveMeta(entry.url, extensions),
  };
}

function baseFields(key: string, entry: ToolhiveBaseEntry) {
  return {
    $schema: SERVER_SCHEMA_URL,
    name: toolhiveServerName(entry.name || key),
    ...omitEmpty({ title: entry.title }),
    description: entry.description,
    ...(entry.repository_url
      ? { repository: { url: entry.repository_url, source: repositorySource(entry.repository_url) } }
      : {}),
  };
}

function baseExtensions(entry: ToolhiveBaseEntry): ToolhiveExtensions {
  return {
    // ToolHive always writes a status, `active` when the entry has none.
    status: entry.status || 'active',
    ...omitEmpty({
      tier: entry.tier,
      tools: entry.tools,
      tags: entry.tags,
      overview: entry.overview,
      metadata: entry.metadata,
      custom_metadata: entry.custom_metadata,
      tool_definitions: entry.tool_definitions,
    }),
  };
}

function packageTransport(type: ToolhiveImageEntry['transport'], targetPort: number | undefined): LocalTransport {
  if (type === 'stdio') return { type };
  // Containers run locally and are reached through a forwarded port on localhost.
  return { type, url: targetPort ? `http://localhost:${targetPort}` : 'http://localhost' };
}

function toKeyValueInput(input: ToolhiveEnvVar | ToolhiveHeader): KeyValueInput {
  return {
    name: input.name,
    ...omitEmpty({
      description: input.description,
      isRequired: input.required,
      isSecret: input.secret,
      default: input.default,
      choices: 'choices' in input ? input.choices : undefined,
    }),
  };
}
