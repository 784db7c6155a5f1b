import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../errors.js';
import type { CatalogReader } from '../../interfaces/catalog.js';
import type { ReadinessReport, RegistrySummary } from '../options.js';
import * as schemas from '../schemas.js';

/** Options of {@link registriesRoutes}. */
export interface RegistriesRoutesOptions {
  catalog: CatalogReader;
  registries?: () => readonly RegistrySummary[];
  /** Its `degraded` list is served beside the registries. */
  readiness: () => ReadinessReport;
}

/** A registry summary with what is served for it right now. */
interface RegistryReport extends RegistrySummary {
  serverCount: number;
  versionCount: number;
}

/**
 * ToolHive's extension routes: the configured registries, their source types and sync status, with
 * what is failing right now (`/v0.1/x/dev.toolhive/registries`), and one of them by name.
 */
export const registriesRoutes: FastifyPluginAsync<RegistriesRoutesOptions> = async (app, { catalog, registries, readiness }) => {
  const reports = (): RegistryReport[] => {
    const summaries = registries?.() ?? catalog.registryNames().map((name) => ({ name, type: 'catalog', source: 'in-process catalog' }));
    return summaries.map((summary) => {
      const view = catalog.registry(summary.name);
      return { ...summary, serverCount: view?.serverCount ?? 0, versionCount: view?.versionCount ?? 0 };
    });
  };

  app.get(
    '/registries',
    {
      schema: {
        summary: 'List the configured registries with their sync status',
        response: { 200: schemas.registrySummaryList },
      },
    },
    () => ({ registries: reports(), degraded: readiness().degraded ?? [] }),
  );

  app.get<{ Params: { registryName: string } }>(
    '/registries/:registryName',
    {
      schema: {
        summary: 'Get one configured registry with its sync status',
        params: schemas.paramsSchema(['registryName']),
        response: { 200: schemas.registrySummary, 404: schemas.problem },
      },
    },
    (request) => {
      const { registryName } = request.params;
      const report = reports().find((candidate) => candidate.name === registryName);
      if (report === undefined) throw new NotFoundError(`registry "${registryName}" is not configured`);
      return report;
    },
  );
};
