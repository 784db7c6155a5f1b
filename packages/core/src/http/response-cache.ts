import { LRUCache } from 'lru-cache';
import type { CatalogView } from '../interfaces/catalog.js';

/**
 * What a URL answers within one view: its ETag, and the body once rendered. A URL always selects
 * the same route, parameters and normalised query, so within one view (one generation) it always
 * gets the same response.
 */
export interface CachedResponse {
  readonly etag: string;
  readonly body?: Buffer;
}

/** Default of {@link ResponseCache}'s budget: 16 MiB per view. */
export const RESPONSE_CACHE_BYTES = 16 * 1024 * 1024;
/** At most this many URLs per view, whatever their size. */
const MAX_URLS = 8192;
/** Bookkeeping per URL, counted on top of its bytes. */
const URL_OVERHEAD = 64;

/**
 * The responses of the catalog routes by URL, per catalog view: repeated URLs (the first page, a
 * server's latest, a popular search) are answered without hashing their selector or building their
 * body again. Each view has its own least-recently-used cache of at most `maxBytes` (bodies, URLs
 * and ETags); a view replaced by a sync is dropped together with its cache.
 */
export class ResponseCache {
  readonly #byView = new WeakMap<CatalogView, LRUCache<string, CachedResponse>>();
  readonly #maxBytes: number;

  constructor(maxBytes = RESPONSE_CACHE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** The cache of one view, made on first use. */
  of(view: CatalogView): LRUCache<string, CachedResponse> {
    let cache = this.#byView.get(view);
    if (cache === undefined) {
      cache = new LRUCache<string, CachedResponse>({
        max: MAX_URLS,
        maxSize: this.#maxBytes,
        sizeCalculation: (value, url) => URL_OVERHEAD + url.length + value.etag.length + (value.body?.length ?? 0),
      });
      this.#byView.set(view, cache);
    }
    return cache;
  }
}
