/** First delay before retrying a failed list or watch. */
export const BACKOFF_INITIAL_MS = 1000;

/** Longest delay between two attempts. */
export const BACKOFF_MAX_MS = 30_000;

/**
 * The delays between attempts to reach the API server: {@link BACKOFF_INITIAL_MS} doubling up to
 * {@link BACKOFF_MAX_MS}, from the start again after {@link Backoff.reset}.
 */
export class Backoff {
  #failures = 0;

  /** The delay before the next attempt, counting one more failure. */
  next(): number {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(this.#failures, 16));
    this.#failures += 1;
    return delay;
  }

  /** Starts again from {@link BACKOFF_INITIAL_MS} (after a success). */
  reset(): void {
    this.#failures = 0;
  }
}
