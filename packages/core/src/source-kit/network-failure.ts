/** System and undici error codes with a well-known wording. */
const WORDING = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ENOTFOUND', 'host not found'],
  ['EAI_AGAIN', 'host not found'],
  ['ECONNRESET', 'connection reset'],
  ['UND_ERR_SOCKET', 'connection reset'],
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Words a failed connection for a message such as `<wording> fetching <url>`:
 * `connection refused`, `host not found` (also a DNS lookup that failed for now),
 * `connection reset`, or `network error (<reason>)` for any other failure.
 *
 * It reads the error code of `err`'s `cause` (fetch rejects with `TypeError: fetch failed` and
 * the system error as the cause) or of `err` itself (node:http and most clients). The reason is
 * the message of that error on one line. Nothing else of `err` is quoted.
 *
 * @param err - What a request or the reading of its response threw.
 */
export function describeNetworkFailure(err: unknown): string {
  const cause = (err as { cause?: unknown } | null | undefined)?.cause ?? err;
  const wording = WORDING.get(codeOf(cause) ?? '') ?? WORDING.get(codeOf(err) ?? '');
  if (wording !== undefined) return wording;
  const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ').trim();
  return `network error (${reason})`;
}
