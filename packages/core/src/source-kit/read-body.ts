/**
 * Reads the body of a fetch `Response`, giving up as soon as it passes `maxBytes`: a declared
 * `Content-Length` over the cap is refused before anything is read, and a body without one is
 * streamed and counted. When the cap is passed the body is cancelled (closing the connection)
 * and the result is `undefined`, so the caller words its own "too large" error.
 *
 * A body that stops arriving (the connection closed, the request aborted) rejects with the
 * stream's error, as `response.arrayBuffer()` would.
 *
 * @param response - A response whose body has not been read yet.
 * @param maxBytes - The most bytes accepted.
 * @returns The body's bytes (empty for a response without a body), or `undefined` when over `maxBytes`.
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
