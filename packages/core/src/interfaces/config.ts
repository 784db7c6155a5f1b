import type { FormatHint } from './model.js';

/**
 * A validated configuration. Every relative path is already resolved against the config file's
 * directory; every duration is parsed. Frozen after loading.
 */
export interface Config {
  /** Absolute path of the config file. */
  readonly configPath: string;
  /** Its directory: the base of relative paths and of plugin resolution. */
  readonly configDir: string;
  /**
   * Absolute data directory: `dataDir`, else `THV_DATA_DIR` when the loader was given an
   * environment that sets it, else `./data` next to the config file.
   */
  readonly dataDir: string;
  /** The registries, in precedence order. The single-`source:` form yields one. */
  readonly registries: readonly RegistryConfig[];
  /** The storage backend: `storage:`, else `pg` when `database:` is present, else `fs`. */
  readonly storage: PluginSelection;
  /** The `database:` block, validated. Present ⇒ `storage.type` is `pg`. */
  readonly database?: DatabaseConfig;
  readonly server: ServerConfig;
}

/** One configured registry. */
export interface RegistryConfig {
  readonly name: string;
  /** Config path of this registry, e.g. `registries[1]` (empty for the single-source form). */
  readonly path: string;
  readonly source: SourceConfig;
  readonly syncPolicy: SyncPolicy;
  readonly filter?: FilterConfig;
}

/** Which plugin to load and the block it receives. */
export interface PluginSelection {
  /** Plugin type, e.g. `git`, `fs`, or a third-party type. */
  readonly type: string;
  /** Explicit module specifier or path (resolved against the config file); wins over `type` lookup. */
  readonly plugin?: string;
  /** The plugin's own block, validated later against the plugin's `configSchema`. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Config path of that block, e.g. `registries[0].source.git`, for error messages. */
  readonly optionsPath: string;
}

/** A registry's source: a plugin selection plus the document format hint. */
export interface SourceConfig extends PluginSelection {
  readonly format?: FormatHint;
}

/** How often a registry syncs (`syncPolicy`). */
export interface SyncPolicy {
  /** As written, e.g. `30m`. */
  readonly interval: string;
  /** In milliseconds. */
  readonly intervalMs: number;
  /** Longest a sync may run before it is abandoned and retried, as written (default `10m`). */
  readonly timeout: string;
  /** {@link timeout} in milliseconds. */
  readonly timeoutMs: number;
}

/** Name and tag filters; an absent list does not restrict. */
export interface FilterConfig {
  readonly names?: IncludeExclude;
  readonly tags?: IncludeExclude;
}

/** What to keep (`include`: one must match) and drop (`exclude`): globs for names, exact values for tags. */
export interface IncludeExclude {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

/** PostgreSQL connection settings, with the original server's field names and defaults. */
export interface DatabaseConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** Absolute path; its trimmed content is the password (else `THV_DATABASE_PASSWORD`). */
  readonly passwordFile?: string;
  /** Default: `user`. */
  readonly migrationUser: string;
  /** Absolute path (else `THV_DATABASE_MIGRATION_PASSWORD`, else the normal password). */
  readonly migrationPasswordFile?: string;
  readonly sslMode: 'disable' | 'require' | 'verify-ca' | 'verify-full';
  readonly maxOpenConns: number;
  readonly maxIdleConns: number;
  readonly connMaxLifetime: string;
  readonly connMaxLifetimeMs: number;
  /** How long opening a connection (or waiting for a free one) may take, as written (default `5s`). */
  readonly connectTimeout: string;
  readonly connectTimeoutMs: number;
  /** How long one statement may run before it is cancelled, as written (default `30s`). */
  readonly statementTimeout: string;
  readonly statementTimeoutMs: number;
}

/** Where `serve` listens (`server:`). */
export interface ServerConfig {
  /** As written, e.g. `:8080` or `127.0.0.1:8080`. */
  readonly address: string;
  /** Host to bind; `0.0.0.0` when the address has none. */
  readonly host: string;
  readonly port: number;
  /**
   * When storage (the database) cannot be opened at start: true (default) keeps retrying in the
   * background while serving; false exits at once (`serve --no-wait-for-database`).
   */
  readonly waitForDatabase: boolean;
}
