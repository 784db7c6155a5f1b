import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { entryBytes } from '../../catalog/row.js';
import { NotFoundError } from '../../errors.js';
import type { CatalogView } from '../../interfaces/catalog.js';
import { sendCatalogJson } from '../conditional.js';
import type { ResponseCache } from '../response-cache.js';
import { type ListQuerystring, toListQuery } from '../list-query.js';
import * as schemas from '../schemas.js';
import { serverListBody } from '../server-list.js';

/** Options of {@link serverRoutes}. */
export interface ServerRoutesOptions {
  /** The view a request reads; throws `NotFoundError` when the prefix names no registry. */
  view: (request: FastifyRequest) => CatalogView;
  /** Path parameters of the prefix (`registryName`), so the route schemas document them. */
  prefixParams?: readonly (keyof typeof schemas.pathParams)[];
  /** Where the responses are kept for repeated URLs. */
  responses: ResponseCache;
}

interface IncludeDeleted {
  include_deleted: boolean;
}

const problemResponses = { 400: schemas.problem, 404: schemas.problem };

/**
 * The three read routes of the official API (`/servers`, `/servers/:serverName/versions`,
 * `/servers/:serverName/versions/:version`), written once and mounted under `/v0.1`, `/v0` and
 * `/registry/:registryName/v0.1`.
 */
export const serverRoutes: FastifyPluginAsync<ServerRoutesOptions> = async (app, { view, prefixParams = [], responses }) => {
  const params = (...names: (keyof typeof schemas.pathParams)[]) => schemas.paramsSchema([...prefixParams, ...names]);
  const prefixOnly = prefixParams.length > 0 ? { params: params() } : {};

  app.get<{ Querystring: ListQuerystring }>(
    '/servers',
    {
      schema: {
        summary: 'List server versions',
        description: 'A page of server versions in (name, version) order.',
        ...prefixOnly,
        querystring: schemas.listQuerystring,
        response: { 200: schemas.serverList, 304: schemas.notModified, ...problemResponses },
      },
    },
    (request, reply) => {
      const catalog = view(request);
      const query = toListQuery(request.query);
      return sendCatalogJson(responses, request, reply, catalog, query, () => {
        const page = catalog.list(query);
        return serverListBody(page.items, page.nextCursor);
      });
    },
  );

  app.get<{ Params: { serverName: string }; Querystring: IncludeDeleted }>(
    '/servers/:serverName/versions',
    {
      schema: {
        summary: 'List the versions of a server',
        description: 'Every version of one server, newest first.',
        params: params('serverName'),
        querystring: schemas.includeDeletedQuerystring,
        response: { 200: schemas.serverList, 304: schemas.notModified, ...problemResponses },
      },
    },
    (request, reply) => {
      const catalog = view(request);
      const { serverName } = request.params;
      const versions = catalog.versions(serverName, request.query.include_deleted);
      if (versions === undefined) throw serverNotFound(serverName);
      return sendCatalogJson(responses, request, reply, catalog, request.query, () => serverListBody(versions));
    },
  );

  app.get<{ Params: { serverName: string; version: string }; Querystring: IncludeDeleted }>(
    '/servers/:serverName/versions/:version',
    {
      schema: {
        summary: 'Get one version of a server',
        description: 'One server version; the version `latest` is the latest one.',
        params: params('serverName', 'version'),
        querystring: schemas.includeDeletedQuerystring,
        response: { 200: schemas.serverResponse, 304: schemas.notModified, ...problemResponses },
      },
    },
    (request, reply) => {
      const catalog = view(request);
      const { serverName, version } = request.params;
      const includeDeleted = request.query.include_deleted;
      const entry = catalog.get(serverName, version, includeDeleted);
      if (entry === undefined) {
        throw catalog.versions(serverName, includeDeleted) === undefined
          ? serverNotFound(serverName)
          : new NotFoundError(`server "${serverName}" has no version "${version}"`);
      }
      return sendCatalogJson(responses, request, reply, catalog, request.query, () => entryBytes(entry));
    },
  );
};

/** The 404 for a server with no visible version. */
export function serverNotFound(name: string): NotFoundError {
  return new NotFoundError(`server "${name}" not found`);
}
