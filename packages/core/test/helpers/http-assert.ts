import type { LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';

/** A server response (`{ server, _meta }`) as parsed from a body. */
export interface ServerResponseBody {
  server: { name: string; version: string; [key: string]: unknown };
  _meta: Record<string, Record<string, unknown>>;
}

/** A list body as parsed. */
export interface ServerListBody {
  servers: ServerResponseBody[];
  metadata: { count: number; nextCursor?: string };
}

/** `name@version` of every server in a list body, in order. */
export function keysOf(body: ServerListBody): string[] {
  return body.servers.map(({ server }) => `${server.name}@${server.version}`);
}

/**
 * Asserts a problem+json response: the status, the content type, the RFC 9457 fields, a detail
 * matching `detail`, and no stack trace anywhere in the body.
 */
export function assertProblem(
  t: Test,
  response: LightMyRequestResponse,
  status: number,
  detail: RegExp | string,
): Record<string, unknown> {
  t.equal(response.statusCode, status, 'status');
  t.match(response.headers['content-type'], /^application\/problem\+json\b/, 'content type');
  const body = response.json<Record<string, unknown>>();
  t.match(body, { type: String, title: String, status, detail: String, code: /^THV_ERR_/ }, 'problem fields');
  t.match(body['detail'], detail, 'detail');
  assertNoStack(t, response);
  return body;
}

/** Asserts a body carries no stack trace. */
export function assertNoStack(t: Test, response: LightMyRequestResponse): void {
  t.notMatch(response.body, /"stack"|\n\s+at |\.ts:\d+|\.js:\d+/, 'no stack trace in the body');
}
