import { LRUCache } from 'lru-cache';
import type { CatalogView } from '../interfaces/catalog.js';

/**
 * What a URL answers within one view: its ETag, and its body when it is kept. A URL always selects
 * the same route, parameters and normalised query, so within one view (one generation) it always
 * gets the same response.
 */
export interface CachedResponse {
  readonly etag: string;
  readonly body?: Buffer;
  /** For an entry without a body: the view's render count when the URL was last seen. */
  readonly seenAt?: number;
}

/** Default of {@link ResponseCache}'s budget: 16 MiB per view. */
export const RESPONSE_CACHE_BYTES = 16 * 1024 * 1024;
/** At most this many URLs per view, whatever their size. */
const MAX_URLS = 8192;
/** Bookkeeping per URL, counted on top of its bytes. */
const URL_OVERHEAD = 64;

/**
 * The kept responses of one view: a least-recently-used cache of at most `maxBytes` (bodies, URLs
 * and ETags). Every URL seen keeps its ETag; a body is kept only when its URL comes back soon
 * enough for the body to have still been in the cache, so one render of a URL is not kept, and
 * neither are the pages of a client walking more pages than the budget holds. Kept bodies live
 * long; a Buffer kept to be evicted unused costs a full garbage collection to free, which a walk
 * through every page would trigger several times a second.
 */
export class ViewResponses {
  readonly #cache: LRUCache<string, CachedResponse>;
  readonly #maxBytes: number;
  /** Bodies rendered for this view so far: the clock of {@link CachedResponse.seenAt}. */
  #renders = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#cache = new LRUCache<string, CachedResponse>({
      max: MAX_URLS,
      maxSize: maxBytes,
      sizeCalculation: (value, url) => URL_OVERHEAD + url.length + value.etag.length + (value.body?.length ?? 0),
    });
  }

  /** What is kept for `url`, if anything. */
  get(url: string): CachedResponse | undefined {
    return this.#cache.get(url);
  }

  /** Keeps the ETag of a URL answered without a body (a 304). */
  seen(url: string, etag: string): void {
    this.#cache.set(url, { etag, seenAt: this.#renders });
  }

  /**
   * Records a body rendered for `url`, `previous` being what was kept for it before. The body is
   * kept when the renders since the URL was last seen, each taken as large as this one, would
   * have left it in the cache; otherwise only the ETag is.
   */
  rendered(url: string, etag: string, body: Buffer, previous: CachedResponse | undefined): void {
    this.#renders += 1;
    const since = previous?.seenAt === undefined ? undefined : this.#renders - previous.seenAt;
    const keep = since !== undefined && since * body.length <= this.#maxBytes;
    this.#cache.set(url, keep ? { etag, body } : { etag, seenAt: this.#renders });
  }

  /** Bytes held (bodies, URLs and ETags). */
  get bytes(): number {
    return this.#cache.calculatedSize;
  }

  /** URLs held. */
  get size(): number {
    return this.#cache.size;
  }
}

/**
 * The responses of the catalog routes by URL, per catalog view: repeated URLs (the first page, a
 * server's latest, a popular search) are answered without hashing their selector or building their
 * body again. Each view has its own {@link ViewResponses}; a view replaced by a sync is dropped
 * together with them.
 */
export class ResponseCache {
  readonly #byView = new WeakMap<CatalogView, ViewResponses>();
  readonly #maxBytes: number;

  constructor(maxBytes = RESPONSE_CACHE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** The responses of one view, made on first use. */
  of(view: CatalogView): ViewResponses {
    let responses = this.#byView.get(view);
    if (responses === undefined) {
      responses = new ViewResponses(this.#maxBytes);
      this.#byView.set(view, responses);
    }
    return responses;
  }
}
