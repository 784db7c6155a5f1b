import type { FastifyPluginAsync } from 'fastify';
import * as schemas from '../schemas.js';

/** Options of {@link openApiRoutes}. */
export interface OpenApiRoutesOptions {
  /** The serialised OpenAPI document; called once routes are all registered. */
  document: () => string;
}

/** `GET /openapi.json`: the OpenAPI document of this API. */
export const openApiRoutes: FastifyPluginAsync<OpenApiRoutesOptions> = async (app, { document }) => {
  app.get(
    '/openapi.json',
    { schema: { summary: 'The OpenAPI 3.1 document of this API', response: { 200: schemas.openApiDocument } } },
    (_request, reply) => reply.type('application/json; charset=utf-8').send(document()),
  );
};
