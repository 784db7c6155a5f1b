import type { SemVer } from 'semver';
import { compareUtf8 } from './byte-order.js';

/** What decides which of two versions of a server is newer. */
export interface RecencyKey {
  readonly version: string;
  /** The parsed version when it is valid semver, else null. */
  readonly semver: SemVer | null;
  readonly publishedAtMs: number;
}

/**
 * Orders versions of one server newest first, the rule behind `isLatest` and the versions list:
 * a semver version beats a non-semver one; semver precedence decides between two semver versions
 * (so `1.0.0` beats `1.0.0-rc.1` and `1.10.0` beats `1.9.0`); otherwise, and on a semver tie, the
 * later `publishedAt` wins, then the byte-greater version string, so the order is total.
 */
export function compareNewestFirst(a: RecencyKey, b: RecencyKey): number {
  if (a.semver !== null && b.semver !== null) {
    const bySemver = b.semver.compare(a.semver);
    if (bySemver !== 0) return bySemver;
  } else if (a.semver !== null || b.semver !== null) {
    return a.semver !== null ? -1 : 1;
  }
  return b.publishedAtMs - a.publishedAtMs || compareUtf8(b.version, a.version);
}
