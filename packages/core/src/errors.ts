/**
 * The error table of thv-registry. Every failure that reaches a user (HTTP problem, CLI exit,
 * sync status) is one of these classes, so each has a stable machine code, a title and an HTTP
 * status. Services throw them; the HTTP layer and the CLI map them, never the other way round.
 */

/** One row of the error table. */
export interface ErrorKind {
  /** Stable machine code, e.g. `THV_ERR_NOT_FOUND`. */
  readonly code: string;
  /** HTTP status used when the error reaches an HTTP client. */
  readonly status: number;
  /** Short, human title (the problem+json `title`). */
  readonly title: string;
}

/** A detail attached to an error, typically one per invalid field. */
export interface ErrorDetail {
  /** Where the problem is: a config path (`registries[0].source.git.branch`) or a query parameter. */
  readonly path: string;
  /** What is wrong there. */
  readonly message: string;
}

/** Options accepted by every {@link RegistryError}. */
export interface RegistryErrorOptions {
  cause?: unknown;
  errors?: readonly ErrorDetail[];
}

/** Base class of all thv-registry errors. */
export class RegistryError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly errors: readonly ErrorDetail[];

  constructor(kind: ErrorKind, message: string, options: RegistryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = kind.code;
    this.status = kind.status;
    this.title = kind.title;
    this.errors = options.errors ?? [];
  }
}

/** The table: one entry per code. `docs/errors.md` documents each. */
export const ErrorKinds = {
  badRequest: { code: 'THV_ERR_BAD_REQUEST', status: 400, title: 'Bad request' },
  invalidParameter: { code: 'THV_ERR_INVALID_PARAMETER', status: 400, title: 'Invalid parameter' },
  notFound: { code: 'THV_ERR_NOT_FOUND', status: 404, title: 'Not found' },
  notReady: { code: 'THV_ERR_NOT_READY', status: 503, title: 'Not ready' },
  config: { code: 'THV_ERR_CONFIG', status: 500, title: 'Invalid configuration' },
  pluginNotFound: { code: 'THV_ERR_PLUGIN_NOT_FOUND', status: 500, title: 'Plugin not found' },
  pluginLoad: { code: 'THV_ERR_PLUGIN_LOAD', status: 500, title: 'Plugin failed to load' },
  pluginContract: { code: 'THV_ERR_PLUGIN_CONTRACT', status: 500, title: 'Plugin breaks the contract' },
  source: { code: 'THV_ERR_SOURCE', status: 502, title: 'Source failed' },
  format: { code: 'THV_ERR_FORMAT', status: 422, title: 'Unrecognised registry document' },
  storage: { code: 'THV_ERR_STORAGE', status: 500, title: 'Storage failed' },
  storageUnavailable: { code: 'THV_ERR_STORAGE_UNAVAILABLE', status: 503, title: 'Storage unavailable' },
  aborted: { code: 'THV_ERR_ABORTED', status: 503, title: 'Aborted' },
  internal: { code: 'THV_ERR_INTERNAL', status: 500, title: 'Internal server error' },
} as const satisfies Record<string, ErrorKind>;

/** Bad input from an HTTP client (query parameter, path segment). */
export class InvalidParameterError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.invalidParameter, message, options);
  }
}

/** The requested server, version or registry does not exist. */
export class NotFoundError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.notFound, message, options);
  }
}

/** The configuration is invalid; `errors` lists each bad path. CLI exit code 2. */
export class ConfigError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.config, message, options);
  }
}

/** No module could be found for a plugin `type`; the message names every package tried. */
export class PluginNotFoundError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.pluginNotFound, message, options);
  }
}

/** A plugin module was found but failed to load (syntax error, missing dependency …). */
export class PluginLoadError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.pluginLoad, message, options);
  }
}

/** A plugin (or what its `create` returned) does not have the shape the contract requires. */
export class PluginContractError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.pluginContract, message, options);
  }
}

/** A source could not deliver its data (missing file, HTTP error, timeout …). */
export class SourceError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.source, message, options);
  }
}

/** A registry document is not in any known format. */
export class FormatError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.format, message, options);
  }
}

/** Storage could not read or write. */
export class StorageError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions, kind: ErrorKind = ErrorKinds.storage) {
    super(kind, message, options);
  }
}

/**
 * Storage cannot be reached for now (a database that is down, restarting, unreachable or too slow
 * to answer in time); trying again later may succeed. The sync retries it within seconds rather
 * than on the source's backoff.
 */
export class StorageUnavailableError extends StorageError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(message, options, ErrorKinds.storageUnavailable);
  }
}

/** An operation was aborted (shutdown, timeout). */
export class AbortedError extends RegistryError {
  constructor(message: string, options?: RegistryErrorOptions) {
    super(ErrorKinds.aborted, message, options);
  }
}

/** True for a thv-registry error of any kind. */
export function isRegistryError(value: unknown): value is RegistryError {
  return value instanceof RegistryError;
}

/**
 * True when `value` reports storage that is unavailable for now. Recognised by its `code`, so that
 * an error made by another copy of this package counts too.
 */
export function isStorageUnavailable(value: unknown): boolean {
  return (value as { code?: unknown } | null | undefined)?.code === ErrorKinds.storageUnavailable.code;
}
