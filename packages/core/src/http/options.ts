import type { CatalogReader } from '../interfaces/catalog.js';

/** Build information served by `GET /version`. */
export interface VersionInfo {
  version: string;
  commit?: string;
  /** RFC 3339. */
  buildDate?: string;
  /** The Node.js version running the server (`process.version`). */
  nodeVersion?: string;
}

/** What `GET /readiness` reports. */
export interface ReadinessReport {
  /** True once every registry has data or a committed snapshot. */
  ready: boolean;
  /** Names of the registries still waiting for data. */
  notReady: string[];
}

/** Options of the {@link registryApi} fastify plugin. */
export interface RegistryApiOptions {
  /** Where every read is served from. */
  catalog: CatalogReader;
  /** Called on each `GET /readiness`; must be cheap. */
  readiness: () => ReadinessReport;
  info: VersionInfo;
}
