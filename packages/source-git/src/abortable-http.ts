import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { raceAbort } from './abort.js';

/** Bytes received by an {@link abortableHttp} client. */
export interface TransferCount {
  bytes: number;
}

/**
 * isomorphic-git's node HTTP client bound to `signal`: an abort destroys the socket and makes
 * every pending read of a response body reject at once, so a git operation stops promptly (the
 * client alone can leave a body iterator waiting forever). Counts the response bytes.
 */
export function abortableHttp(signal: AbortSignal, count: TransferCount = { bytes: 0 }): HttpClient {
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      signal.throwIfAborted();
      const response = await raceAbort(http.request({ ...request, signal }), signal);
      if (response.body === undefined) return response;
      return { ...response, body: guardBody(response.body, signal, count) };
    },
  };
}

async function* guardBody(
  body: AsyncIterableIterator<Uint8Array>,
  signal: AbortSignal,
  count: TransferCount,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    for (;;) {
      const { done, value } = await raceAbort(body.next(), signal);
      if (done === true) return;
      count.bytes += value.byteLength;
      yield value;
    }
  } finally {
    await body.return?.();
  }
}
