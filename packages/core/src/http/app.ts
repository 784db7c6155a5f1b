import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { Logger } from '../interfaces/logger.js';
import { LazyChildLogger } from './lazy-child-logger.js';
import type { RegistryApiOptions } from './options.js';
import { notFoundProblemHandler, problemErrorHandler } from './problem.js';
import { registryApi } from './registry-api.js';
import { RequestLogController, type RequestLineWriter } from './request-log.js';

/** Options of {@link buildApp}. */
export interface AppOptions extends RegistryApiOptions {
  logger: Logger;
  /** Overrides of the overload protection (@fastify/under-pressure); `false` turns it off. */
  underPressure?: FastifyUnderPressureOptions | false;
  /** Writes each request's info line; default `log.info(line, 'request completed')`. */
  requestLine?: RequestLineWriter;
}

/** Overload protection by default: shed load with a 503 when the event loop lags by a second. */
const UNDER_PRESSURE_DEFAULTS: FastifyUnderPressureOptions = { maxEventLoopDelay: 1000, retryAfter: 10 };

/**
 * The thv-registry HTTP server, ready to `listen` (which it never calls): request logs at info
 * (one line per request), CORS for reads from any origin, overload protection, problem+json for
 * every error and unknown route, and the {@link registryApi} routes.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { logger, underPressure: pressure, requestLine, ...api } = options;
  const logController = new RequestLogController(requestLine);
  // Typed with fastify's base logger, not pino's, so the app is a plain FastifyInstance.
  const app = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: logger,
    logController,
    requestIdHeader: 'x-request-id',
    childLoggerFactory: (parent, bindings, childOptions) => new LazyChildLogger(parent, bindings, childOptions),
    // Malformed percent-encoding and over-long parameters are reported here, before routing and
    // without the response hooks that write the request line, so that line is written here too.
    frameworkErrors: (error, request, reply) => {
      reply.raw.once('finish', () => logController.requestCompleted(null, request, reply));
      problemErrorHandler(error, request, reply);
    },
    // Server names are up to 200 characters, more once percent-encoded.
    routerOptions: { maxParamLength: 1024 },
  });
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler(notFoundProblemHandler);

  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'OPTIONS'],
    // One string, not a list: the plugin would join a list again on every request.
    exposedHeaders: 'ETag, Retry-After',
    maxAge: 86400,
  });
  if (pressure !== false) {
    await app.register(underPressure, { ...UNDER_PRESSURE_DEFAULTS, ...pressure });
  }
  await app.register(registryApi, api);
  return app;
}
