import type { FastifyPluginAsync } from 'fastify';
import { ErrorKinds, RegistryError } from '../../errors.js';
import type { ReadinessReport, VersionInfo } from '../options.js';
import { sendProblem, toProblem } from '../problem.js';
import * as schemas from '../schemas.js';

/** Options of {@link systemRoutes}. */
export interface SystemRoutesOptions {
  readiness: () => ReadinessReport;
  info: VersionInfo;
}

/** Liveness, readiness and build information. */
export const systemRoutes: FastifyPluginAsync<SystemRoutesOptions> = async (app, { readiness, info }) => {
  app.get('/health', { schema: { summary: 'Liveness', response: { 200: schemas.health } } }, () => ({ status: 'ok' }));

  app.get(
    '/readiness',
    { schema: { summary: 'Readiness', response: { 200: schemas.ready, 503: schemas.problem } } },
    (_request, reply) => {
      const report = readiness();
      if (report.ready) return reply.send({ status: 'ready', degraded: report.degraded ?? [] });
      return sendProblem(reply, toProblem(notReadyError(report)));
    },
  );

  app.get('/version', { schema: { summary: 'Build information', response: { 200: schemas.version } } }, () => info);
};

/** The 503 of `/readiness`: says why, and names every registry still waiting for data. */
function notReadyError({ notReady: registries, reason }: ReadinessReport): RegistryError {
  const names = registries.map((name) => `"${name}"`).join(', ');
  const waiting = registries.length > 0 ? `registries without data yet: ${names}` : undefined;
  const detail = [reason, waiting].filter((part) => part !== undefined).join('; ') || 'the server is not ready yet';
  return new RegistryError(ErrorKinds.notReady, detail, {
    errors: registries.map((name) => ({ path: name, message: 'no data loaded or committed yet' })),
  });
}
