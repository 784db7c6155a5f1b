import {
  AbortedError,
  describeJsonSyntaxError,
  describeNetworkFailure,
  readBodyCapped,
  RegistryError,
  SourceError,
  type Logger,
} from '@thv/registry-core';
import { backoffDelay, retryAfterDelay, sleep } from './retry.js';

/** How pages are requested. */
export interface PageClientOptions {
  /** Sent with every request (configured headers included); values never logged. */
  headers: Record<string, string>;
  timeoutMs: number;
  /** The timeout as configured (`10s`), for messages. */
  timeoutText: string;
  /** Retries after a retryable failure. */
  retries: number;
  /** The sync's byte budget as configured, for messages. */
  maxBytes: number;
  logger: Logger;
  /** Source of jitter; tests may pin it. */
  random?: () => number;
}

/** One page to fetch. */
export interface PageRequest {
  url: string;
  /** 1-based page number within the sync, for messages. */
  page: number;
  /** Bytes the sync may still read. */
  budget: number;
  signal: AbortSignal;
}

/** A page read and parsed. */
export interface FetchedPage {
  body: unknown;
  bytes: number;
  /** The response's `Date` header (the upstream's clock), when it sent a valid one. */
  date?: number;
}

/** Why one attempt failed, and whether another may succeed. */
class AttemptFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    cause?: unknown,
  ) {
    super(reason, cause === undefined ? undefined : { cause });
  }
}

/**
 * Fetches one JSON page. Network errors, timeouts, HTTP 429 and 5xx, a body cut short and invalid
 * JSON are retried up to `retries` times, waiting `Retry-After` when the upstream sends one and an
 * exponential, jittered backoff otherwise; another HTTP error fails at once. Failures are
 * `SourceError`s naming the URL and the page; an abort is an `AbortedError`, also while waiting.
 */
export async function fetchPage(request: PageRequest, options: PageClientOptions): Promise<FetchedPage> {
  for (let attempt = 1; ; attempt++) {
    if (request.signal.aborted) throw aborted(request);
    let failure: AttemptFailure;
    try {
      return await attemptPage(request, options);
    } catch (err) {
      if (!(err instanceof AttemptFailure)) throw err;
      failure = err;
    }
    const where = `fetching ${request.url} (page ${request.page}${attempt > 1 ? `, after ${attempt} attempts` : ''})`;
    if (!failure.retryable || attempt > options.retries) {
      throw new SourceError(`${failure.reason} ${where}`, { cause: failure.cause ?? failure });
    }
    const waitMs = failure.retryAfterMs ?? backoffDelay(attempt, options.random);
    options.logger.warn(
      { url: request.url, page: request.page, attempt, reason: failure.reason, retryInMs: waitMs },
      'upstream request failed; retrying',
    );
    try {
      await sleep(waitMs, request.signal);
    } catch (err) {
      throw aborted(request, err);
    }
  }
}

async function attemptPage(request: PageRequest, options: PageClientOptions): Promise<FetchedPage> {
  // One controller per attempt, aborted by the caller's signal or the timeout; both are detached
  // afterwards, so a sync of a thousand pages does not pile listeners on the caller's signal.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${options.timeoutText}`));
  }, options.timeoutMs);
  const onAbort = (): void => controller.abort(request.signal.reason);
  request.signal.addEventListener('abort', onAbort, { once: true });
  const fail = (err: unknown, phase: 'request' | 'body'): Error => {
    if (err instanceof RegistryError || err instanceof AttemptFailure) return err;
    if (request.signal.aborted) return aborted(request, err);
    if (timedOut) return new AttemptFailure(`timed out after ${options.timeoutText}`, true, undefined, err);
    return new AttemptFailure(phase === 'body' ? bodyFailure(err) : describeNetworkFailure(err), true, undefined, err);
  };
  try {
    let response: Response;
    try {
      response = await fetch(request.url, { signal: controller.signal, headers: options.headers });
    } catch (err) {
      throw fail(err, 'request');
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const reason = `HTTP ${response.status} ${response.statusText}`.trim();
      const retryable = response.status === 429 || response.status >= 500;
      throw new AttemptFailure(reason, retryable, retryable ? retryAfterDelay(response.headers.get('retry-after')) : undefined);
    }

    let bytes: Uint8Array | undefined;
    try {
      bytes = await readBodyCapped(response, request.budget);
    } catch (err) {
      throw fail(err, 'body');
    }
    if (bytes === undefined) {
      throw new SourceError(
        `responses exceed maxBytes (${options.maxBytes} bytes per sync) fetching ${request.url} (page ${request.page})`,
      );
    }
    // TextDecoder drops a leading byte order mark, which JSON.parse would reject.
    const text = new TextDecoder().decode(bytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new AttemptFailure(`response is not valid JSON (${describeJsonSyntaxError(err, text)})`, true, undefined, err);
    }
    const date = Date.parse(response.headers.get('date') ?? '');
    return Number.isNaN(date) ? { body, bytes: bytes.byteLength } : { body, bytes: bytes.byteLength, date };
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
  }
}

function aborted(request: PageRequest, cause?: unknown): AbortedError {
  return new AbortedError(`fetching ${request.url} (page ${request.page}) was aborted`, { cause });
}

/** Words a body that stopped arriving: the connection closed before all of it was sent. */
function bodyFailure(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause ?? err;
  return `response body cut short (${oneLine(cause)})`;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim();
}
