import type { SourceFetchRequest, SourceHandler } from '../../src/index.js';

/**
 * The rejection of `source.fetch(request)` and how long it took to come: the network-fault tests
 * of every source check both the message and that it failed in time. A fetch that succeeds gives
 * an Error that says so, which the test's message check then reports.
 */
export async function fetchFailure(source: SourceHandler, request: SourceFetchRequest): Promise<{ error: Error; ms: number }> {
  const started = performance.now();
  const error = await source.fetch(request).then(
    () => new Error('expected the fetch to fail'),
    (err: unknown) => err as Error,
  );
  return { error, ms: performance.now() - started };
}
