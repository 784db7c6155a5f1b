/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
  /** Time between probes (default 50 ms). */
  intervalMs?: number;
  /** A probe that throws ends the wait at once (default: a throw counts as "not yet"). */
  fatal?: boolean;
}

/**
 * Probes until `probe` returns something other than undefined, and returns it. Fails with the
 * last value or error seen once the deadline passes.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 50, fatal = false }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = undefined;
    } catch (error) {
      if (fatal) throw error;
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
