import { raceAbort } from '@thv/registry-core';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';

/** What an {@link abortableHttp} client saw of its responses. */
export interface Transfer {
  /** Bytes received. */
  bytes: number;
  /**
   * The first failure met reading a response body (a connection reset, an abort). isomorphic-git's
   * pkt-line reader takes a failed read for the end of the body, so a ref listing cut short reads
   * as a shorter (even empty) list: callers check this after a git operation that succeeded.
   */
  error?: unknown;
}

/**
 * isomorphic-git's node HTTP client bound to `signal`: an abort destroys the socket and makes
 * every pending read of a response body reject at once, so a git operation stops promptly (the
 * client alone can leave a body iterator waiting forever). Counts the response bytes and keeps
 * the first body failure in `transfer`.
 */
export function abortableHttp(signal: AbortSignal, transfer: Transfer = { bytes: 0 }): HttpClient {
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      signal.throwIfAborted();
      const response = await raceAbort(http.request({ ...request, signal }), signal);
      if (response.body === undefined) return response;
      return { ...response, body: guardBody(response.body, signal, transfer) };
    },
  };
}

async function* guardBody(
  body: AsyncIterableIterator<Uint8Array>,
  signal: AbortSignal,
  transfer: Transfer,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await raceAbort(body.next(), signal);
      } catch (err) {
        transfer.error ??= err;
        throw err;
      }
      if (next.done === true) return;
      transfer.bytes += next.value.byteLength;
      yield next.value;
    }
  } finally {
    await body.return?.();
  }
}
