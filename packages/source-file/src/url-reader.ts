import { AbortedError, describeNetworkFailure, readBodyCapped, RegistryError, SourceError, type Logger } from '@thv/registry-core';
import type { DocumentReader, Retrieval } from './document-reader.js';
import { conditionalHeaders, validatorsFromHeaders, validatorsFromState, type HttpValidators } from './http-validators.js';
import type { RemoteUrl } from './remote-url.js';
import { tooLargeError } from './too-large.js';

/** How a url is fetched. */
export interface UrlReaderOptions {
  timeoutMs: number;
  /** The timeout as configured (`30s`), for messages. */
  timeoutText: string;
  maxBytes: number;
  logger: Logger;
}

/**
 * A reader of a registry document at an http(s) URL. Sends the previous response's validators
 * (when the caller accepts an unchanged answer) and reports a 304 as "no bytes".
 */
export function createUrlReader(url: RemoteUrl, options: UrlReaderOptions): DocumentReader {
  return {
    origin: url.href,
    async read(request) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = AbortSignal.any([request.signal, timeout]);
      const previous = request.allowUnchanged && request.previous?.fingerprint !== undefined
        ? validatorsFromState(request.previous.state)
        : {};
      try {
        return await fetchDocument(url, previous, signal, options);
      } catch (err) {
        if (err instanceof RegistryError) throw err;
        if (request.signal.aborted) throw new AbortedError(`fetching ${url.href} was aborted`, { cause: err });
        if (timeout.aborted) {
          throw new SourceError(`timed out after ${options.timeoutText} fetching ${url.href}`, { cause: err });
        }
        throw new SourceError(`${describeNetworkFailure(err)} fetching ${url.href}`, { cause: err });
      }
    },
  };
}

async function fetchDocument(
  url: RemoteUrl,
  previous: HttpValidators,
  signal: AbortSignal,
  options: UrlReaderOptions,
): Promise<Retrieval> {
  const conditional = conditionalHeaders(previous);
  const response = await fetch(url.href, {
    signal,
    headers: {
      accept: 'application/json',
      ...conditional,
      ...(url.authorization !== undefined && { authorization: url.authorization }),
    },
  });
  options.logger.debug({ url: url.href, status: response.status }, 'registry url answered');
  const current = validatorsFromHeaders(response.headers);
  // A 304 only means "unchanged" when we asked for it; it may refresh some validators.
  if (response.status === 304 && Object.keys(conditional).length > 0) {
    await response.body?.cancel();
    return { state: { ...previous, ...current } };
  }
  if (!response.ok) {
    await response.body?.cancel();
    const reason = `${response.status} ${response.statusText}`.trim();
    throw new SourceError(`HTTP ${reason} fetching ${url.href}`);
  }
  const bytes = await readBodyCapped(response, options.maxBytes);
  if (bytes === undefined) throw tooLargeError(`response from ${url.href}`, options.maxBytes);
  return current === undefined ? { bytes } : { bytes, state: { ...current } };
}
