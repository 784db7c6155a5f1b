import type { SyncStatus } from '@thv/registry-core';

/**
 * Of the status in `status.json` and the one inside `snapshot.json`, the one with the later
 * `lastAttempt`. A crash between a commit's two renames leaves the newer status only in the
 * snapshot; otherwise `status.json` is as new or newer, so it wins ties and unknown times.
 */
export function laterStatus(statusFile?: SyncStatus, snapshotStatus?: SyncStatus): SyncStatus | undefined {
  if (statusFile === undefined) return snapshotStatus;
  if (snapshotStatus === undefined) return statusFile;
  return attemptTime(snapshotStatus) > attemptTime(statusFile) ? snapshotStatus : statusFile;
}

function attemptTime(status: SyncStatus): number {
  const time = status.lastAttempt === undefined ? Number.NaN : Date.parse(status.lastAttempt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}
