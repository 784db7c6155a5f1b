import { STATUS_CODES } from 'node:http';
import type { FastifySchema } from 'fastify';
import type { VersionInfo } from './options.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import * as schemas from './schemas.js';
import type { JsonSchema } from './schemas.js';

/** A route as registered with fastify: what the OpenAPI document describes. */
export interface DocumentedRoute {
  /** HTTP method, upper case. */
  method: string;
  /** Full path with fastify parameters (`/v0.1/servers/:serverName/versions`). */
  url: string;
  schema?: FastifySchema;
}

declare module 'fastify' {
  /** Route schema fields fastify ignores and the document uses (as @fastify/swagger declares them). */
  interface FastifySchema {
    summary?: string;
    description?: string;
  }
}

/** Schemas written once under `components.schemas` and referenced from responses. */
const COMPONENTS: Readonly<Record<string, JsonSchema>> = {
  ServerResponse: schemas.serverResponse,
  ServerList: schemas.serverList,
  CompatServerList: schemas.compatServerList,
  Problem: schemas.problem,
};

/**
 * The OpenAPI 3.1 document of the given routes, made from the schemas fastify validates and
 * serialises with, so it describes exactly what is served.
 */
export function buildOpenApiDocument(routes: readonly DocumentedRoute[], info: VersionInfo): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route.schema ?? {});
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'thv-registry API',
      version: info.version,
      description: 'The MCP Registry read API (v0.1), per-registry views and the ToolHive compatibility routes.',
    },
    paths,
    components: { schemas: COMPONENTS },
  };
}

function operation(schema: FastifySchema): Record<string, unknown> {
  const parameters = [
    ...parametersOf(schema.params as JsonSchema | undefined, 'path'),
    ...parametersOf(schema.querystring as JsonSchema | undefined, 'query'),
  ];
  const responses = Object.fromEntries(
    Object.entries((schema.response ?? {}) as Record<string, JsonSchema>).map(([status, body]) => [
      status,
      response(Number(status), body),
    ]),
  );
  return {
    ...(schema.summary === undefined ? {} : { summary: schema.summary }),
    ...(schema.description === undefined ? {} : { description: schema.description }),
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
  };
}

function parametersOf(objectSchema: JsonSchema | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  const properties = (objectSchema?.['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = (objectSchema?.['required'] ?? []) as readonly string[];
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    ...(description === undefined ? {} : { description }),
    schema,
  }));
}

function response(status: number, body: JsonSchema): Record<string, unknown> {
  const description = (body['description'] as string | undefined) ?? STATUS_CODES[status] ?? String(status);
  if (body === schemas.notModified) return { description };
  const contentType = body === schemas.problem ? PROBLEM_CONTENT_TYPE : 'application/json';
  const component = Object.entries(COMPONENTS).find(([, schema]) => schema === body)?.[0];
  return { description, content: { [contentType]: { schema: component ? { $ref: `#/components/schemas/${component}` } : body } } };
}
