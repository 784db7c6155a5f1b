import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogView } from '../interfaces/catalog.js';

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

/** Most ETags remembered per view; past it the memo starts again (views are replaced on every change anyway). */
const ETAG_MEMO_LIMIT = 2048;

/**
 * ETags by request URL, per view. A URL always selects the same route, parameters and normalised
 * query, so within one view (one generation) it always has the same ETag; the memo saves hashing
 * the selector on every request for the URLs clients repeat (the first page, a server's latest).
 */
const etagMemo = new WeakMap<CatalogView, Map<string, string>>();

function etagFor(request: FastifyRequest, view: CatalogView, query: object): string {
  let memo = etagMemo.get(view);
  if (memo === undefined) {
    memo = new Map();
    etagMemo.set(view, memo);
  }
  let etag = memo.get(request.url);
  if (etag === undefined) {
    const selector = `${request.routeOptions.url ?? ''}\n${JSON.stringify(request.params)}\n${JSON.stringify(query)}`;
    etag = catalogEtag(view.generation, selector);
    if (memo.size >= ETAG_MEMO_LIMIT) memo.clear();
    memo.set(request.url, etag);
  }
  return etag;
}

/**
 * Sends a JSON body read from a catalog view, with an ETag and `Cache-Control: no-cache` (clients
 * may cache but must revalidate). Answers 304 without calling `render` when the client's copy is
 * current. `query` is the normalised query the response depends on.
 */
export function sendCatalogJson(
  request: FastifyRequest,
  reply: FastifyReply,
  view: CatalogView,
  query: object,
  render: () => Buffer | string,
): FastifyReply {
  const etag = etagFor(request, view, query);
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
    return validators(reply, etag).code(304).send();
  }
  // Rendered before any header is set: a render error (a bad cursor) must not carry this ETag.
  const body = render();
  return validators(reply, etag).type('application/json; charset=utf-8').send(body);
}

function validators(reply: FastifyReply, etag: string): FastifyReply {
  return reply.header('etag', etag).header('cache-control', 'no-cache');
}

function stripWeak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
