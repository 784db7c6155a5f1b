import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorDetail, type ErrorKind, ErrorKinds, isRegistryError, NotFoundError } from '../errors.js';

/** Content type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document, with the machine code of the error table. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: readonly ErrorDetail[];
}

/** One schema violation as fastify reports it (an ajv error). */
interface ValidationItem {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The parts of a fastify or plugin error this module reads; every field may be absent. */
interface HttpErrorLike {
  message?: string;
  code?: string;
  statusCode?: number;
  validation?: ValidationItem[];
  validationContext?: string;
}

const GENERIC_DETAIL = 'An unexpected error occurred while handling the request.';

/** Where a schema applies, as a client reads it. */
const VALIDATION_PLACES: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
};

/**
 * Maps any error to a problem. Registry errors keep their status, code and message; fastify's
 * schema and URL errors become 400s naming what is wrong; other fastify client errors keep their
 * status; everything else is a 500 whose detail says nothing about the cause.
 */
export function toProblem(error: unknown): Problem {
  if (isRegistryError(error)) {
    return problem(error, error.message, error.errors);
  }
  const http = (typeof error === 'object' && error !== null ? error : {}) as HttpErrorLike;
  if (http.validation !== undefined) {
    return validationProblem(http.validation, http.validationContext);
  }
  if (http.code === 'FST_ERR_BAD_URL') {
    return problem(ErrorKinds.badRequest, `the URL has malformed percent-encoding: ${quotedPath(http.message)}`);
  }
  const status = http.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return statusProblem(status, status === 404 ? ErrorKinds.notFound : ErrorKinds.badRequest, http.message);
  }
  if (status === 503 && http.code === 'FST_UNDER_PRESSURE') {
    return statusProblem(503, ErrorKinds.notReady, 'the server is overloaded; retry later');
  }
  return problem(ErrorKinds.internal, GENERIC_DETAIL);
}

/** Sends a problem with its status and content type; headers set before (Retry-After) are kept. */
export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  // Serialised here so a route's response schema can never reshape or drop problem fields.
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * The error handler of every route, and fastify's `frameworkErrors` hook: replies with a problem.
 * Server errors are logged with their stack; client errors are already visible in the request log.
 */
export function problemErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = toProblem(error);
  // 503 is an expected state (overload, shutdown), not a fault worth a stack trace.
  if (body.status >= 500 && body.status !== 503) {
    request.log.error({ err: error }, 'request failed');
  }
  return sendProblem(reply, body);
}

/** The not-found handler: a 404 problem naming the method and path. */
export function notFoundProblemHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?', 1)[0];
  return sendProblem(reply, toProblem(new NotFoundError(`no route matches ${request.method} ${path}`)));
}

function problem(kind: ErrorKind, detail: string, errors: readonly ErrorDetail[] = []): Problem {
  return {
    type: 'about:blank',
    title: kind.title,
    status: kind.status,
    detail,
    code: kind.code,
    ...(errors.length > 0 ? { errors } : {}),
  };
}

/** A problem for a plain HTTP status: the standard reason phrase as title, the code of `kind`. */
function statusProblem(status: number, kind: ErrorKind, detail: string | undefined): Problem {
  return { ...problem(kind, detail ?? STATUS_CODES[status] ?? 'Error'), status, title: STATUS_CODES[status] ?? kind.title };
}

function validationProblem(items: readonly ValidationItem[], context = 'request'): Problem {
  const place = VALIDATION_PLACES[context] ?? context;
  const errors = items.map((item) => ({ path: fieldOf(item), message: item.message ?? 'is invalid' }));
  const detail = errors.map((error) => `${place} "${error.path}" ${error.message}`).join('; ');
  return problem(ErrorKinds.invalidParameter, detail, errors);
}

/** The field an ajv error is about: its path, or the missing property of a `required` error. */
function fieldOf(item: ValidationItem): string {
  const missing = item.params['missingProperty'];
  if (typeof missing === 'string') return missing;
  return item.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
}

/** fastify's bad-URL message quotes the path: `'/a%E0' is not a valid url component`. */
function quotedPath(message = ''): string {
  return /^'(.*)' is not a valid url component$/.exec(message)?.[1] ?? message;
}
