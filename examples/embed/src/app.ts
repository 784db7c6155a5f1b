import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { buildSnapshot, Catalog, parseDocument, registryApi, type SkippedEntry } from '@thv/registry-core/host';

/** The sample ToolHive registry of this repository (12 servers), from `src/` and from `dist/` alike. */
export const SAMPLE_REGISTRY = new URL('../../registry.json', import.meta.url);

/** The registry name the catalog serves (`/mcp/registry/<name>/v0.1/…`). */
export const REGISTRY_NAME = 'catalog';

/** A catalog filled once from a registry file, and what was left out of it. */
export interface LoadedCatalog {
  catalog: Catalog;
  /** Entries of the file that failed validation, with why. */
  skipped: SkippedEntry[];
}

/**
 * Reads a registry document in any format core understands (ToolHive `registry.json`, an upstream
 * file, an API page) into an in-memory catalog: no source plugin, no storage, no sync.
 */
export async function loadCatalog(file: URL | string): Promise<LoadedCatalog> {
  const document = JSON.parse(await readFile(file, 'utf8')) as unknown;
  // Detects the format, converts to server.json and validates every entry.
  const parsed = parseDocument(document);
  // Adds what the API serves besides server.json: status and timestamps (here: now).
  const snapshot = buildSnapshot(parsed.entries, undefined, new Date().toISOString());
  const catalog = new Catalog([REGISTRY_NAME]);
  catalog.setRegistry(REGISTRY_NAME, snapshot.entries);
  return { catalog, skipped: [...parsed.skipped, ...snapshot.skipped] };
}

export interface EmbedAppOptions {
  /** The registry document to serve (default: {@link SAMPLE_REGISTRY}). */
  registryFile?: URL | string;
  /** fastify's `logger` option (default: off). */
  logger?: FastifyServerOptions['logger'];
}

/**
 * An application with routes of its own (`/`, `/healthz`) that also serves the MCP Registry API
 * under `/mcp`: `/mcp/v0.1/servers`, `/mcp/v0.1/servers/{name}/versions/latest`, `/mcp/openapi.json` …
 */
export async function buildEmbedApp(options: EmbedAppOptions = {}): Promise<FastifyInstance> {
  const { catalog, skipped } = await loadCatalog(options.registryFile ?? SAMPLE_REGISTRY);

  // Server names may be up to 200 characters: allow longer path parameters than fastify's 100.
  const app = Fastify({ logger: options.logger ?? false, routerOptions: { maxParamLength: 1024 } });
  for (const entry of skipped) app.log.warn({ entry }, 'registry entry skipped');

  app.get('/', async () => ({
    service: 'acme-portal',
    servers: catalog.aggregated().serverCount,
    links: { registry: '/mcp/v0.1/servers', openapi: '/mcp/openapi.json', health: '/healthz' },
  }));
  app.get('/healthz', async () => ({ status: 'ok' }));

  await app.register(registryApi, {
    prefix: '/mcp',
    catalog,
    // The catalog was filled before the first request: always ready.
    readiness: () => ({ ready: true, notReady: [] }),
    info: { version: '1.0.0' },
  });
  return app;
}
