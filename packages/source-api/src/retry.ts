import { setTimeout as delay } from 'node:timers/promises';

/** First backoff delay; each further retry doubles it. */
export const BACKOFF_BASE_MS = 250;

/** Longest backoff delay between two attempts. */
export const BACKOFF_CAP_MS = 30_000;

/** Longest wait a `Retry-After` header can ask for; a longer one is cut to this. */
export const RETRY_AFTER_CAP_MS = 60_000;

/**
 * The delay before retry number `retry` (1 for the first): {@link BACKOFF_BASE_MS} doubling,
 * capped at {@link BACKOFF_CAP_MS}, with "equal jitter" (between half and all of it) so that many
 * replicas retrying at once spread out.
 */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const full = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds, capped at {@link RETRY_AFTER_CAP_MS}:
 * delay-seconds (`120`) or an HTTP-date (a date in the past means now). Undefined when the header
 * is absent or unreadable.
 */
export function retryAfterDelay(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, RETRY_AFTER_CAP_MS);
}

/** Waits `ms`, rejecting (with the signal's reason) as soon as `signal` aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal });
}
