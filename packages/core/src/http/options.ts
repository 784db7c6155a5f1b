import type { CatalogReader } from '../interfaces/catalog.js';
import type { DeployedServer } from '../interfaces/source.js';
import type { SyncStatus } from '../interfaces/status.js';

/** Build information served by `GET /version`. */
export interface VersionInfo {
  version: string;
  commit?: string;
  /** RFC 3339. */
  buildDate?: string;
  /** The Node.js version running the server (`process.version`). */
  nodeVersion?: string;
}

/**
 * Something failing while the server keeps answering reads from its last good catalog: storage
 * that cannot be reached, or a registry whose sync fails. Never secrets.
 */
export interface Degradation {
  /** `storage`, or `sync` for one registry's sync. */
  component: 'storage' | 'sync';
  /** For `sync`: the registry. */
  registry?: string;
  /** What is wrong. */
  message: string;
  /** For `sync`: failed attempts in a row. */
  consecutiveFailures?: number;
  /** For `sync`, RFC 3339: the last successful sync. */
  lastSuccess?: string;
  /** For `sync`, RFC 3339: when this process tries again. */
  nextAttempt?: string;
}

/** What `GET /readiness` reports. */
export interface ReadinessReport {
  /** True once every registry has data or a committed snapshot. */
  ready: boolean;
  /** Names of the registries still waiting for data. */
  notReady: string[];
  /** A reason that is not about one registry (storage unavailable …); never secrets. */
  reason?: string;
  /**
   * What is failing while the last good data is served. A ready server stays ready while it is
   * degraded: reads do not depend on what fails.
   */
  degraded?: Degradation[];
}

/** One configured registry as the status route reports it. */
export interface RegistrySummary {
  name: string;
  /** The source plugin type, e.g. `git`. */
  type: string;
  /** The source's own description (never secrets), e.g. `git https://… main registry.json`. */
  source: string;
  /** The last known sync status; absent before the first attempt. */
  status?: SyncStatus;
  /** RFC 3339: when this process next syncs the registry (after a failure: when it retries). */
  nextAttempt?: string;
}

/** Options of the {@link registryApi} fastify plugin. */
export interface RegistryApiOptions {
  /** Where every read is served from. */
  catalog: CatalogReader;
  /** Called on each `GET /readiness`; must be cheap. */
  readiness: () => ReadinessReport;
  info: VersionInfo;
  /**
   * The configured registries and their sync status, served under `/v0.1/x/dev.toolhive/registries`.
   * Without it (an embedded catalog with no sync) the route lists the catalog's registries alone.
   */
  registries?: () => readonly RegistrySummary[];
  /**
   * The server instances the sources see running, served under `/api/v0/deployed`; it returns
   * undefined when no source reports deployments, and without it (or then) those routes answer 404
   * saying that they need a kubernetes source. Called on each request: answer from memory.
   */
  deployed?: () => readonly DeployedServer[] | undefined;
  /**
   * Bytes of responses kept per catalog view for repeated URLs (bodies, URLs and ETags; least
   * recently used first out). Default 16 MiB.
   */
  responseCacheBytes?: number;
}
