/** A failure to read from the server, worded for the command line (no stack trace needed). */
export class ServerReadError extends Error {
  override name = 'ServerReadError';
}

/**
 * GETs `url` and parses the JSON body. Every failure becomes a {@link ServerReadError} that names the
 * URL and what went wrong: the connection, a timeout, an HTTP status (with the problem+json
 * `detail` the server sent) or a body that is not JSON.
 */
export async function getJson(url: URL, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ServerReadError(`cannot read ${url.href}: ${describeFailure(error, timeoutMs)}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    const detail = problemDetail(text);
    throw new ServerReadError(`GET ${url.href} answered ${response.status} ${response.statusText}${detail === undefined ? '' : `: ${detail}`}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ServerReadError(`GET ${url.href} did not answer JSON; is this a thv-registry server?`);
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return typeof cause?.message === 'string' ? cause.message : String((error as Error).message ?? error);
  }
}

function problemDetail(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof body.detail === 'string') return body.detail;
    if (typeof body.title === 'string') return body.title;
  } catch {
    // not a problem document
  }
  return undefined;
}
