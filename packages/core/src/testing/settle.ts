/** How a call ended within a time limit. */
export type Settled<T> =
  | { readonly status: 'fulfilled'; readonly value: T; readonly ms: number }
  | { readonly status: 'rejected'; readonly reason: unknown; readonly ms: number }
  | { readonly status: 'timeout'; readonly ms: number };

/**
 * Calls `work` and waits at most `limitMs` for it. A synchronous throw counts as a rejection. A call
 * still running after the limit is left to end on its own (it cannot be cancelled from outside);
 * the timer is cleared as soon as either side wins, and keeps the process alive until then, so a
 * hung call fails the check instead of ending the process early.
 */
export async function settleWithin<T>(work: () => Promise<T> | T, limitMs: number): Promise<Settled<T>> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'timeout', ms: elapsed() }), limitMs);
  });
  const outcome = (async (): Promise<Settled<T>> => {
    try {
      return { status: 'fulfilled', value: await work(), ms: elapsed() };
    } catch (reason) {
      return { status: 'rejected', reason, ms: elapsed() };
    }
  })();
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
