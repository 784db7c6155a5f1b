/** First retry delay after a failed sync. */
export const INITIAL_BACKOFF_MS = 5_000;

/** The interval with ±10 % jitter, so that replicas and registries do not sync in lockstep. */
export function jittered(intervalMs: number, random: () => number = Math.random): number {
  return Math.round(intervalMs * (0.9 + 0.2 * random()));
}

/** Delay before retry number `failures` (1-based): doubling from the initial backoff, capped at the interval. */
export function backoff(failures: number, intervalMs: number, initialMs: number = INITIAL_BACKOFF_MS): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(initialMs * 2 ** exponent, intervalMs);
}
