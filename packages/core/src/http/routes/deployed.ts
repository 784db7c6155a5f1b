import type { FastifyPluginAsync } from 'fastify';
import { compareUtf8 } from '../../catalog/byte-order.js';
import { NotFoundError } from '../../errors.js';
import type { DeployedServer } from '../../interfaces/source.js';
import * as schemas from '../schemas.js';

/** Options of {@link deployedRoutes}. */
export interface DeployedRoutesOptions {
  /**
   * The server instances the sources see running, or undefined when no configured source reports
   * deployments (only a `kubernetes` source does). Called on each request: answers from memory.
   */
  deployed?: () => readonly DeployedServer[] | undefined;
}

const NO_DEPLOYMENT_SOURCE = 'deployed servers need a kubernetes source: no configured source reports deployments';

/**
 * The original server's deployed-servers routes, under `/api/v0`: every running instance the
 * sources see (exported to the registry or not), and the instances of one registry server name.
 */
export const deployedRoutes: FastifyPluginAsync<DeployedRoutesOptions> = async (app, { deployed }) => {
  /** The instances, in namespace, name and kind order; a 404 without a deployment source. */
  const instances = (): DeployedServer[] => {
    const servers = deployed?.();
    if (servers === undefined) throw new NotFoundError(NO_DEPLOYMENT_SOURCE);
    return [...servers].sort(byPlace);
  };

  app.get(
    '/deployed',
    {
      schema: {
        summary: 'List the deployed server instances (Kubernetes)',
        response: { 200: schemas.deployedServerList, 404: schemas.problem },
      },
    },
    () => {
      const servers = instances();
      return { servers, total: servers.length };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/deployed/:name',
    {
      schema: {
        summary: 'List the deployed instances of one registry server',
        params: schemas.paramsSchema(['name']),
        response: { 200: schemas.deployedServerList, 404: schemas.problem },
      },
    },
    (request) => {
      const { name } = request.params;
      const servers = instances().filter((server) => server.serverName === name);
      if (servers.length === 0) throw new NotFoundError(`no deployed instance of server "${name}"`);
      return { servers, total: servers.length };
    },
  );
};

function byPlace(a: DeployedServer, b: DeployedServer): number {
  return compareUtf8(a.namespace, b.namespace) || compareUtf8(a.name, b.name) || compareUtf8(a.kind, b.kind);
}
