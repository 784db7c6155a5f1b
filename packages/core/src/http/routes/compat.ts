import type { FastifyPluginAsync } from 'fastify';
import { entryBytes } from '../../catalog/row.js';
import type { CatalogEntry, CatalogReader, CatalogView } from '../../interfaces/catalog.js';
import { sendCatalogJson } from '../conditional.js';
import type { ResponseCache } from '../response-cache.js';
import * as schemas from '../schemas.js';
import { compatServerListBody } from '../server-list.js';
import { serverNotFound } from './servers.js';

/** Options of {@link compatRoutes}. */
export interface CompatRoutesOptions {
  catalog: CatalogReader;
  /** Where the responses are kept for repeated URLs. */
  responses: ResponseCache;
}

/**
 * The original ToolHive registry server's server routes under `/api/v0`: the latest version of
 * every server, and of one server. Its deployed-servers routes are in `deployed.ts`.
 */
export const compatRoutes: FastifyPluginAsync<CompatRoutesOptions> = async (app, { catalog, responses }) => {
  app.get(
    '/servers',
    {
      schema: {
        summary: 'List the latest version of every server',
        response: { 200: schemas.compatServerList, 304: schemas.notModified },
      },
    },
    (request, reply) => {
      const view = catalog.aggregated();
      return sendCatalogJson(responses, request, reply, view, {}, () => compatServerListBody(latestOfEach(view)));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/servers/:name',
    {
      schema: {
        summary: 'Get the latest version of a server',
        params: schemas.paramsSchema(['name']),
        response: { 200: schemas.serverResponse, 304: schemas.notModified, 404: schemas.problem },
      },
    },
    (request, reply) => {
      const view = catalog.aggregated();
      const entry = view.get(request.params.name, 'latest', false);
      if (entry === undefined) throw serverNotFound(request.params.name);
      return sendCatalogJson(responses, request, reply, view, {}, () => entryBytes(entry));
    },
  );
};

/** Every server's latest version, in name order, read page by page through the catalog's list. */
function latestOfEach(view: CatalogView): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = view.list({ cursor, limit: schemas.LIMIT.max, version: 'latest', includeDeleted: false });
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return entries;
}
