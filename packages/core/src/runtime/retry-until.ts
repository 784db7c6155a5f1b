/** How {@link retryUntil} waits between attempts. */
export interface RetryPolicy {
  /** First delay (default 1 s); doubles after each failure. */
  initialMs?: number;
  /** Longest delay (default 30 s). */
  maxMs?: number;
}

/**
 * Runs `attempt` until it succeeds or `signal` aborts, waiting longer after each failure;
 * `onFailure` hears about each failure and the delay before the next try. Resolves true on
 * success, false when aborted.
 */
export async function retryUntil(
  attempt: () => Promise<void>,
  signal: AbortSignal,
  onFailure: (error: unknown, retryInMs: number) => void,
  { initialMs = 1_000, maxMs = 30_000 }: RetryPolicy = {},
): Promise<boolean> {
  for (let delay = initialMs; !signal.aborted; delay = Math.min(delay * 2, maxMs)) {
    try {
      await attempt();
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      onFailure(error, delay);
      await sleep(delay, signal);
    }
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
