/**
 * Types of ToolHive's legacy registry format (`toolhive-legacy-registry.schema.json`): a document
 * with container servers and remote servers, each keyed by a short name. Field names are the
 * format's own (snake_case).
 */

/** A whole legacy registry document. */
export interface ToolhiveRegistry {
  $schema?: string;
  /** Version of the registry format, e.g. `1.0.0`. */
  version: string;
  /** RFC 3339. */
  last_updated: string;
  /** Container servers, keyed by short name. */
  servers: Record<string, ToolhiveImageEntry>;
  /** Remote servers, keyed by short name. */
  remote_servers?: Record<string, ToolhiveRemoteEntry>;
  groups?: ToolhiveGroup[];
}

/** Servers that are deployed together. */
export interface ToolhiveGroup {
  name: string;
  description: string;
  servers?: Record<string, ToolhiveImageEntry>;
  remote_servers?: Record<string, ToolhiveRemoteEntry>;
}

/** Fields shared by container and remote entries. */
export interface ToolhiveBaseEntry {
  /** Canonical name; when absent ToolHive derives it from the entry's key. */
  name?: string;
  title?: string;
  description: string;
  /** `Official` or `Community`. */
  tier: string;
  /** `Active` or `Deprecated`. */
  status: string;
  tools: string[];
  metadata?: ToolhiveMetadata;
  repository_url?: string;
  tags?: string[];
  /** Longer Markdown description. */
  overview?: string;
  /** Full MCP tool definitions (name, description, inputSchema, annotations). */
  tool_definitions?: Record<string, unknown>[];
  custom_metadata?: Record<string, unknown>;
}

/** A server run as a container image. */
export interface ToolhiveImageEntry extends ToolhiveBaseEntry {
  image: string;
  transport: 'stdio' | 'sse' | 'streamable-http';
  /** Port the container listens on (sse and streamable-http). */
  target_port?: number;
  /** Host port of ToolHive's proxy. */
  proxy_port?: number;
  permissions?: ToolhivePermissions;
  env_vars?: ToolhiveEnvVar[];
  /** Default command-line arguments of the container. */
  args?: string[];
  docker_tags?: string[];
  provenance?: ToolhiveProvenance;
}

/** A server reached over HTTP. */
export interface ToolhiveRemoteEntry extends ToolhiveBaseEntry {
  url: string;
  transport: 'sse' | 'streamable-http';
  proxy_port?: number;
  headers?: ToolhiveHeader[];
  oauth_config?: ToolhiveOAuthConfig;
  /** Client-side configuration. */
  env_vars?: ToolhiveEnvVar[];
}

/** An environment variable a server reads. */
export interface ToolhiveEnvVar {
  name: string;
  description: string;
  required: boolean;
  secret?: boolean;
  default?: string;
}

/** An HTTP header a remote server expects. */
export interface ToolhiveHeader {
  name: string;
  description: string;
  required: boolean;
  secret?: boolean;
  default?: string;
  choices?: string[];
}

/** OAuth / OIDC settings for a remote server. */
export interface ToolhiveOAuthConfig {
  issuer?: string;
  authorize_url?: string;
  token_url?: string;
  client_id?: string;
  scopes?: string[];
  use_pkce?: boolean;
  oauth_params?: Record<string, string>;
  callback_port?: number;
  resource?: string;
}

/** Popularity and freshness figures. */
export interface ToolhiveMetadata {
  stars?: number;
  /** Deprecated by ToolHive, still present in older documents. */
  pulls?: number;
  /** RFC 3339. */
  last_updated?: string;
  kubernetes?: Record<string, unknown>;
}

/** The security profile of a container. */
export interface ToolhivePermissions {
  network?: {
    outbound?: { allow_host?: string[]; allow_port?: number[]; insecure_allow_all?: boolean };
  };
  read?: string[];
  write?: string[];
  privileged?: boolean;
}

/** Where and how an image was built and signed. */
export interface ToolhiveProvenance {
  sigstore_url: string;
  repository_uri: string;
  repository_ref?: string;
  signer_identity: string;
  runner_environment: string;
  cert_issuer: string;
  attestation?: { predicate_type?: string; predicate?: unknown };
}

/**
 * ToolHive's own fields of one server, kept in server.json under
 * `_meta["io.modelcontextprotocol.registry/publisher-provided"]["io.github.stacklok"][<image or url>]`.
 */
export interface ToolhiveExtensions {
  status: string;
  tier?: string;
  tools?: string[];
  tags?: string[];
  overview?: string;
  metadata?: ToolhiveMetadata;
  custom_metadata?: Record<string, unknown>;
  permissions?: ToolhivePermissions;
  args?: string[];
  provenance?: ToolhiveProvenance;
  docker_tags?: string[];
  proxy_port?: number;
  oauth_config?: ToolhiveOAuthConfig;
  env_vars?: ToolhiveEnvVar[];
  tool_definitions?: Record<string, unknown>[];
}
