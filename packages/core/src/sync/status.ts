import type { SkippedEntry, StoredEntry } from '../interfaces/model.js';
import type { SyncStatus } from '../interfaces/status.js';

/** How many skipped entries a status keeps verbatim (the count is always exact). */
export const MAX_SKIPPED_IN_STATUS = 50;

/** The status of a registry that has never been synced. */
export function initialStatus(): SyncStatus {
  return { phase: 'Failed', message: 'not synced yet', consecutiveFailures: 0, serverCount: 0, versionCount: 0, skipped: 0 };
}

/**
 * Server and version counts of a snapshot as the status reports them: what is served, so deleted
 * versions (kept to answer `include_deleted`) are not counted, as in the catalog.
 */
export function snapshotCounts(entries: readonly StoredEntry[]): Pick<SyncStatus, 'serverCount' | 'versionCount'> {
  const visible = entries.filter((entry) => entry.status !== 'deleted');
  return { serverCount: new Set(visible.map((entry) => entry.server.name)).size, versionCount: visible.length };
}

/** The skipped-entry fields of a status. */
export function skippedFields(skipped: readonly SkippedEntry[]): Pick<SyncStatus, 'skipped' | 'skippedEntries'> {
  return { skipped: skipped.length, skippedEntries: skipped.slice(0, MAX_SKIPPED_IN_STATUS) };
}

/**
 * A status left in `Syncing` was written by a process that stopped mid-sync: nothing of that sync
 * was committed, so it is reported as an interrupted attempt.
 */
export function recoverInterrupted(status: SyncStatus): SyncStatus {
  if (status.phase !== 'Syncing') return status;
  return {
    ...status,
    phase: 'Failed',
    message: 'the previous sync was interrupted before it committed; the last committed data is served',
    consecutiveFailures: status.consecutiveFailures + 1,
  };
}
