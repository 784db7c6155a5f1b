import type { SyncStatus } from '../interfaces/status.js';

/**
 * A `Complete` sync status attempted (and succeeded) at `lastAttempt`, for storage plugin tests;
 * `overrides` replace any field.
 */
export function syncStatus(lastAttempt: string, overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    phase: 'Complete',
    lastAttempt,
    lastSuccess: lastAttempt,
    consecutiveFailures: 0,
    serverCount: 1,
    versionCount: 1,
    skipped: 0,
    ...overrides,
  };
}
