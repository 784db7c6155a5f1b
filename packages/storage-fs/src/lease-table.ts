interface Lease {
  holder: string;
  expiresAt: number;
}

/**
 * Sync leases held in this process's memory. Enough for fs storage, which serves one replica;
 * it does not coordinate processes.
 */
export class LeaseTable {
  readonly #leases = new Map<string, Lease>();
  readonly #now: () => number;

  /** @param now clock in milliseconds, replaceable in tests */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Takes or renews the lease of `key` for `ttlMs`; false while another holder's lease runs. */
  tryLease(key: string, holder: string, ttlMs: number): boolean {
    const now = this.#now();
    const current = this.#leases.get(key);
    if (current !== undefined && current.holder !== holder && current.expiresAt > now) return false;
    this.#leases.set(key, { holder, expiresAt: now + ttlMs });
    return true;
  }

  /** Gives up `key` when `holder` holds it. */
  release(key: string, holder: string): void {
    if (this.#leases.get(key)?.holder === holder) this.#leases.delete(key);
  }

  /** Drops every lease. */
  clear(): void {
    this.#leases.clear();
  }
}
