/**
 * How soon a source's change notice (`SourceHandler.watch`) starts a sync: long enough that a
 * burst of notices makes one sync, short enough that a change is served within a second.
 */
export const CHANGE_SYNC_DELAY_MS = 200;

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

/** Shortest sync lease: a replica that stops renewing gives way to another within this long. */
export const MIN_LEASE_TTL_MS = 10_000;

/**
 * How long a sync lease lasts: two intervals, so that the holder renews it at each sync and keeps
 * syncing, and at least {@link MIN_LEASE_TTL_MS}. A sync renews it while it runs.
 */
export function leaseTtl(intervalMs: number): number {
  return Math.max(intervalMs * 2, MIN_LEASE_TTL_MS);
}

/** First and longest delay before a sync that could not reach storage tries again. */
export const STORAGE_RETRY = { initialMs: 500, maxMs: 2_000 } as const;

/**
 * Delay before retry number `failures` (1-based) of a sync that could not reach storage: short
 * (500 ms doubling to 2 s, ±10 %), so that a database that comes back is used within seconds.
 */
export function storageRetryDelay(failures: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const base = Math.min(STORAGE_RETRY.initialMs * 2 ** exponent, STORAGE_RETRY.maxMs);
  return Math.round(base * (0.9 + 0.2 * random()));
}
