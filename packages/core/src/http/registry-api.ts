import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { NotFoundError } from '../errors.js';
import type { CatalogReader, CatalogView } from '../interfaces/catalog.js';
import { buildOpenApiDocument, type DocumentedRoute } from './openapi.js';
import type { RegistryApiOptions } from './options.js';
import { problemErrorHandler } from './problem.js';
import { ResponseCache } from './response-cache.js';
import { compatRoutes } from './routes/compat.js';
import { deployedRoutes } from './routes/deployed.js';
import { openApiRoutes } from './routes/openapi.js';
import { registriesRoutes } from './routes/registries.js';
import { serverRoutes } from './routes/servers.js';
import { systemRoutes } from './routes/system.js';

const registryApiPlugin: FastifyPluginAsync<RegistryApiOptions> = async (app, options) => {
  const { catalog, readiness, info, registries, deployed, responseCacheBytes } = options;
  // Set here, not only by buildApp, so the routes answer problems inside any host application.
  app.setErrorHandler(problemErrorHandler);

  const documented: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // HEAD twins are implied by GET; the document lists each route once.
    if (methods.includes('GET')) documented.push({ method: 'GET', url: route.url, schema: route.schema });
  });
  let document: string | undefined;

  const responses = new ResponseCache(responseCacheBytes);
  const aggregated = () => catalog.aggregated();
  app.register(serverRoutes, { prefix: '/v0.1', view: aggregated, responses });
  app.register(serverRoutes, { prefix: '/v0', view: aggregated, responses });
  app.register(serverRoutes, {
    prefix: '/registry/:registryName/v0.1',
    view: registryView(catalog),
    prefixParams: ['registryName'],
    responses,
  });
  app.register(compatRoutes, { prefix: '/api/v0', catalog, responses });
  app.register(deployedRoutes, { prefix: '/api/v0', ...(deployed === undefined ? {} : { deployed }) });
  app.register(systemRoutes, { readiness, info });
  app.register(registriesRoutes, { prefix: '/v0.1/x/dev.toolhive', catalog, readiness, ...(registries === undefined ? {} : { registries }) });
  app.register(openApiRoutes, {
    document: () => (document ??= JSON.stringify(buildOpenApiDocument(documented, info))),
  });
};

/**
 * The thv-registry HTTP API as an encapsulated fastify plugin: the official v0.1 read routes (and
 * their `/v0` alias), the same routes per registry under `/registry/:registryName/v0.1`, the
 * original server's `/api/v0` routes (deployed servers included), the registries and their sync status under
 * `/v0.1/x/dev.toolhive/registries`, `/health`, `/readiness`, `/version` and `/openapi.json`.
 * Errors inside it are problem+json responses. It can be registered under a prefix in any fastify 5
 * application; the host should allow path parameters longer than fastify's default 100 characters
 * (`routerOptions.maxParamLength`) since server names may be up to 200.
 */
export const registryApi = fp(registryApiPlugin, { name: 'thv-registry-api', fastify: '5.x', encapsulate: true });

/** Resolves the `registryName` path parameter to its view, or a 404 naming it. */
function registryView(catalog: CatalogReader): (request: FastifyRequest) => CatalogView {
  return (request) => {
    const { registryName } = request.params as { registryName: string };
    const view = catalog.registry(registryName);
    if (view === undefined) throw new NotFoundError(`registry "${registryName}" is not configured`);
    return view;
  };
}
