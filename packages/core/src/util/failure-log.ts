import type { Logger } from '../interfaces/logger.js';

/** How often a failure that keeps repeating unchanged is logged again at warn (default 1 min). */
const DEFAULT_REMIND_MS = 60_000;

/**
 * Logs a failure that is retried every few seconds without flooding the log: the first failure,
 * each change of its message and a reminder once a minute go out at warn; the repeats in between
 * at debug; the recovery at info with how many attempts failed and for how long.
 */
export class FailureLog {
  readonly #logger: Logger;
  readonly #failing: string;
  readonly #recovered: string;
  readonly #remindMs: number;
  #failures = 0;
  #since = 0;
  #lastWarnAt = 0;
  #lastMessage: string | undefined;

  /**
   * @param messages the log messages of a failure (`storage unavailable; retrying`) and of the
   * recovery (`storage opened`).
   */
  constructor(logger: Logger, messages: { failing: string; recovered: string }, remindMs = DEFAULT_REMIND_MS) {
    this.#logger = logger;
    this.#failing = messages.failing;
    this.#recovered = messages.recovered;
    this.#remindMs = remindMs;
  }

  /** Failed attempts since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** One failed attempt; `fields` go into the log line (never secrets). */
  failed(error: unknown, fields: Record<string, unknown> = {}): void {
    const now = Date.now();
    if (this.#failures === 0) this.#since = now;
    this.#failures += 1;
    const message = error instanceof Error ? error.message : String(error);
    const line = { ...fields, err: error, failures: this.#failures };
    if (message !== this.#lastMessage || now - this.#lastWarnAt >= this.#remindMs) {
      this.#lastWarnAt = now;
      this.#lastMessage = message;
      this.#logger.warn(line, this.#failing);
    } else {
      this.#logger.debug(line, this.#failing);
    }
  }

  /** A success: logs the recovery if attempts had failed, and starts afresh. */
  succeeded(fields: Record<string, unknown> = {}): void {
    if (this.#failures === 0) return;
    this.#logger.info({ ...fields, failures: this.#failures, downMs: Date.now() - this.#since }, this.#recovered);
    this.#failures = 0;
    this.#lastMessage = undefined;
    this.#lastWarnAt = 0;
  }
}
