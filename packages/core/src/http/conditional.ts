import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogView } from '../interfaces/catalog.js';
import type { ResponseCache } from './response-cache.js';

/**
 * A weak ETag for a catalog response: the view's generation plus what selects the response (the
 * route, its path parameters and the normalised query). Nothing here depends on the body, so a
 * matching `If-None-Match` is answered without building it.
 */
export function catalogEtag(generation: string, selector: string): string {
  const digest = createHash('sha1').update(generation).update('\0').update(selector).digest('base64url');
  return `W/"${digest}"`;
}

/** True when an `If-None-Match` header matches the ETag (weak comparison, `*` matches anything). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  // The common case: the client sends back exactly the tag it was given.
  if (header === etag) return true;
  const opaque = stripWeak(etag);
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || stripWeak(trimmed) === opaque;
  });
}

/**
 * Sends a JSON body read from a catalog view, with an ETag and `Cache-Control: no-cache` (clients
 * may cache but must revalidate). Answers 304 without calling `render` when the client's copy is
 * current, and sends the body rendered for the same URL before when `responses` kept it.
 * `query` is the normalised query the response depends on.
 */
export function sendCatalogJson(
  responses: ResponseCache,
  request: FastifyRequest,
  reply: FastifyReply,
  view: CatalogView,
  query: object,
  render: () => Buffer,
): FastifyReply {
  const cache = responses.of(view);
  const cached = cache.get(request.url);
  const etag = cached?.etag ?? catalogEtag(view.generation, selectorOf(request, query));
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
    if (cached === undefined) cache.seen(request.url, etag);
    return validators(reply, etag).code(304).send();
  }
  let body = cached?.body;
  if (body === undefined) {
    // Rendered before any header is set: a render error (a bad cursor) must not carry this ETag.
    body = render();
    cache.rendered(request.url, etag, body, cached);
  }
  return validators(reply, etag).type('application/json; charset=utf-8').send(body);
}

/** What selects a response: the route, its path parameters and the normalised query. */
function selectorOf(request: FastifyRequest, query: object): string {
  return `${request.routeOptions.url ?? ''}\n${JSON.stringify(request.params)}\n${JSON.stringify(query)}`;
}

function validators(reply: FastifyReply, etag: string): FastifyReply {
  return reply.header('etag', etag).header('cache-control', 'no-cache');
}

function stripWeak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
