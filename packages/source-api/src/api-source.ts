import {
  SourceError,
  type Logger,
  type SourceData,
  type SourceFetchRequest,
  type SourceFetchResult,
  type SourceHandler,
} from '@thv/registry-core';
import { fetchPage, type PageClientOptions } from './page-client.js';
import { addRow, hashRows, newestRow, sha256, timeKey, toRow, type Row } from './rows.js';
import { readState, rowsInWindow, stateValue, windowDigest, windowStart, type ApiSourceState } from './sync-state.js';

/** Everything an {@link ApiSource} needs, resolved from the config block. */
export interface ApiSourceOptions {
  /** Base URL without a trailing slash (see `parseEndpoint`). */
  endpoint: string;
  /** Configured headers; values are never logged. */
  headers: Record<string, string>;
  timeoutMs: number;
  timeoutText: string;
  pageSize: number;
  maxPages: number;
  maxBytes: number;
  fullResyncMs: number;
  retries: number;
  logger: Logger;
  /** Source of jitter; tests may pin it. */
  random?: () => number;
  /** Clock; tests may pin it. */
  now?: () => number;
}

/** What paging through one listing produced. */
interface Listing {
  rows: Map<string, Row>;
  pages: number;
  bytes: number;
  /** The upstream's clock (`Date` header) when it answered the first page. */
  firstPageDate?: number;
}

/** Longest cursor quoted in a message. */
const CURSOR_QUOTE_LIMIT = 120;

/**
 * The `api` source: reads the server versions of an upstream MCP Registry through its v0.1 list
 * API, page by page. The first fetch (and one every `fullResyncInterval`) reads everything; in
 * between, only versions updated since the last seen update are asked for and delivered as a delta.
 */
export class ApiSource implements SourceHandler {
  readonly #options: ApiSourceOptions;
  readonly #client: PageClientOptions;
  readonly #now: () => number;

  constructor(options: ApiSourceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#client = {
      headers: { accept: 'application/json', ...options.headers },
      timeoutMs: options.timeoutMs,
      timeoutText: options.timeoutText,
      retries: options.retries,
      maxBytes: options.maxBytes,
      logger: options.logger,
      ...(options.random !== undefined && { random: options.random }),
    };
  }

  /** `api <endpoint>`. */
  describe(): string {
    return `api ${this.#options.endpoint}`;
  }

  /**
   * A full read unless an incremental one is possible: the caller allows an unchanged answer, the
   * previous fetch left a fingerprint and a last update time, and the last full read is younger
   * than `fullResyncInterval`.
   */
  async fetch(request: SourceFetchRequest): Promise<SourceFetchResult> {
    const startedAt = this.#now();
    const state = readState(request.previous?.state);
    const fingerprint = request.previous?.fingerprint;
    const fullAge = state.lastFullSync === undefined ? Number.NaN : startedAt - Date.parse(state.lastFullSync);
    if (
      request.allowUnchanged &&
      fingerprint !== undefined &&
      state.lastUpdatedAt !== undefined &&
      fullAge >= 0 &&
      fullAge < this.#options.fullResyncMs
    ) {
      return this.#incremental(request.signal, fingerprint, { ...state, lastUpdatedAt: state.lastUpdatedAt });
    }
    return this.#full(request.signal, startedAt);
  }

  async #full(signal: AbortSignal, startedAt: number): Promise<SourceData> {
    const listing = await this.#list(new URLSearchParams({ include_deleted: 'true' }), signal);
    const rows = [...listing.rows.values()];
    const state: ApiSourceState = { lastFullSync: new Date(startedAt).toISOString() };
    const newest = newestRow(rows);
    if (newest !== undefined) {
      state.lastUpdatedAt = resumePoint(newest, listing.firstPageDate);
      state.windowDigest = windowDigest(rows, state.lastUpdatedAt);
    }
    this.#options.logger.debug(
      { mode: 'full', versions: rows.length, pages: listing.pages, bytes: listing.bytes },
      'upstream read in full',
    );
    return { mode: 'full', documents: [listDocument(rows)], fingerprint: `sha256:${hashRows(rows)}`, state: stateValue(state) };
  }

  async #incremental(
    signal: AbortSignal,
    previousFingerprint: string,
    state: ApiSourceState & { lastUpdatedAt: string },
  ): Promise<SourceFetchResult> {
    const since = windowStart(state.lastUpdatedAt);
    const listing = await this.#list(new URLSearchParams({ include_deleted: 'true', updated_since: since }), signal);
    const fetched = [...listing.rows.values()];
    // readState only keeps a lastUpdatedAt that is a timestamp.
    const lastKey = timeKey(state.lastUpdatedAt) as string;
    // Rows without an update time cannot be placed in time: treat them as changed.
    const newer = fetched.filter((row) => row.updatedKey === undefined || row.updatedKey > lastKey);
    // Rows from the overlap window were delivered before unless the window's content differs.
    const window = rowsInWindow(fetched, state.lastUpdatedAt);
    const windowKnown = state.windowDigest === undefined || windowDigest(window, state.lastUpdatedAt) === state.windowDigest;
    const log = { mode: 'incremental', since, fetched: fetched.length, pages: listing.pages, bytes: listing.bytes };
    if (newer.length === 0 && windowKnown) {
      this.#options.logger.debug(log, 'upstream unchanged since the last update seen');
      return { unchanged: true, state: stateValue(state) };
    }
    const delta = windowKnown ? newer : [...newer, ...window];
    const lastUpdatedAt = newestRow(newer)?.updatedAt ?? state.lastUpdatedAt;
    const next: ApiSourceState = {
      ...state,
      lastUpdatedAt,
      windowDigest: windowDigest([...newer, ...window], lastUpdatedAt),
    };
    this.#options.logger.debug({ ...log, changed: delta.length }, 'upstream changes read');
    return {
      mode: 'delta',
      documents: [listDocument(delta)],
      fingerprint: `sha256:${sha256(`${previousFingerprint}\n${hashRows(delta)}`)}`,
      state: stateValue(next),
    };
  }

  /** Reads every page of `/v0.1/servers` with `params`, following `nextCursor`. */
  async #list(params: URLSearchParams, signal: AbortSignal): Promise<Listing> {
    const { endpoint, pageSize, maxPages, maxBytes, logger } = this.#options;
    const listUrl = `${endpoint}/v0.1/servers`;
    const listing: Listing = { rows: new Map(), pages: 0, bytes: 0 };
    const usedCursors = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      if (listing.pages === maxPages) {
        throw new SourceError(
          `more than maxPages (${maxPages}) pages at ${listUrl}; raise maxPages if the upstream really holds that many versions`,
        );
      }
      const query = new URLSearchParams({ limit: String(pageSize) });
      for (const [name, value] of params) query.append(name, value);
      if (cursor !== undefined) query.append('cursor', cursor);
      const url = `${listUrl}?${query}`;
      const page = listing.pages + 1;
      const fetched = await fetchPage({ url, page, budget: maxBytes - listing.bytes, signal }, this.#client);
      listing.pages = page;
      listing.bytes += fetched.bytes;
      if (page === 1 && fetched.date !== undefined) listing.firstPageDate = fetched.date;
      const { items, nextCursor } = readListPage(fetched.body, url, page);
      for (const item of items) addRow(listing.rows, toRow(item));
      logger.debug({ url, page, count: items.length, bytes: fetched.bytes }, 'upstream page read');
      if (nextCursor === undefined) return listing;
      if (usedCursors.has(nextCursor) || nextCursor === cursor) {
        throw new SourceError(
          `cursor did not advance: page ${page} (${url}) returned nextCursor "${quoteCursor(nextCursor)}", which was already used`,
        );
      }
      usedCursors.add(nextCursor);
      cursor = nextCursor;
    }
  }
}

/**
 * Where the next incremental read starts after a full read: the newest update seen, but no later
 * than the upstream's clock when the first page was answered. A version changed while the pages
 * were read may have been passed already (keyset paging) while later pages carry newer stamps;
 * starting from the first page's time fetches such versions again, however long the read took.
 */
function resumePoint(newest: Row, firstPageDate: number | undefined): string {
  if (firstPageDate === undefined) return newest.updatedAt as string;
  const started = new Date(firstPageDate).toISOString();
  return (newest.updatedKey as string) > (timeKey(started) as string) ? started : (newest.updatedAt as string);
}

/** The items and next cursor of a list page; a page of another shape is a `SourceError`. */
function readListPage(body: unknown, url: string, page: number): { items: unknown[]; nextCursor?: string } {
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const items = record['servers'];
  if (!Array.isArray(items)) {
    throw new SourceError(`response is not an MCP Registry server list (no "servers" array) fetching ${url} (page ${page})`);
  }
  const metadata = record['metadata'];
  const nextCursor = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['nextCursor'] : undefined;
  if (nextCursor === undefined || nextCursor === null || nextCursor === '') return { items };
  if (typeof nextCursor !== 'string') {
    throw new SourceError(`metadata.nextCursor is not a string fetching ${url} (page ${page})`);
  }
  return { items, nextCursor };
}

/** The rows as one official API page, the document core parses into entries. */
function listDocument(rows: Row[]): { servers: unknown[]; metadata: { count: number } } {
  return { servers: rows.map((row) => row.item), metadata: { count: rows.length } };
}

function quoteCursor(cursor: string): string {
  const shown = cursor.length > CURSOR_QUOTE_LIMIT ? `${cursor.slice(0, CURSOR_QUOTE_LIMIT)}…` : cursor;
  return JSON.stringify(shown).slice(1, -1);
}
