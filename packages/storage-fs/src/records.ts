import { StorageError, type StoredEntry, type SyncStatus } from '@thv/registry-core';

/** Version of the `snapshot.json` layout. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** The content of `snapshot.json`: the entries and the status they were committed with. */
export interface SnapshotRecord {
  formatVersion: typeof SNAPSHOT_FORMAT_VERSION;
  entries: StoredEntry[];
  status: SyncStatus;
}

const PHASES: ReadonlySet<unknown> = new Set(['Syncing', 'Complete', 'Failed']);

/** Serialises a snapshot; compact, since it can be large. */
export function encodeSnapshot(entries: readonly StoredEntry[], status: SyncStatus): string {
  return JSON.stringify({ formatVersion: SNAPSHOT_FORMAT_VERSION, entries, status });
}

/** Serialises a status; indented, since operators read it. */
export function encodeStatus(status: SyncStatus): string {
  return `${JSON.stringify(status, null, 2)}\n`;
}

/** Checks the shape of a parsed `snapshot.json`; a mismatch is a `StorageError` naming the file. */
export function decodeSnapshot(value: unknown, path: string): SnapshotRecord {
  if (!isObject(value)) throw corrupt(path, 'not a JSON object');
  if (value.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    throw corrupt(path, `formatVersion ${JSON.stringify(value.formatVersion)}, expected ${SNAPSHOT_FORMAT_VERSION}`);
  }
  if (!Array.isArray(value.entries)) throw corrupt(path, '"entries" is not an array');
  if (!isStatus(value.status)) throw corrupt(path, '"status" is not a sync status');
  return value as unknown as SnapshotRecord;
}

/** Checks the shape of a parsed `status.json`. */
export function decodeStatus(value: unknown, path: string): SyncStatus {
  if (!isStatus(value)) throw corrupt(path, 'not a sync status');
  return value;
}

function isStatus(value: unknown): value is SyncStatus {
  return isObject(value) && PHASES.has(value.phase);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function corrupt(path: string, reason: string): StorageError {
  return new StorageError(`corrupt ${path}: ${reason}`);
}
