import type { SkippedEntry } from './model.js';

/** Phase of a registry's sync. */
export type SyncPhase = 'Syncing' | 'Complete' | 'Failed';

/** Opaque JSON state a source plugin asks to be given back on its next fetch. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Sync status of one registry, persisted through storage and served by the status route.
 * Timestamps are RFC 3339.
 */
export interface SyncStatus {
  phase: SyncPhase;
  /** Human explanation of the phase; for `Failed`, why. */
  message?: string;
  lastAttempt?: string;
  lastSuccess?: string;
  /** Consecutive failed attempts since the last success. */
  consecutiveFailures: number;
  /** Source fingerprint of the last committed data. */
  fingerprint?: string;
  /** Hash of the filter applied to the last committed data. */
  filterHash?: string;
  /** Distinct server names in the committed data. */
  serverCount: number;
  /** Server versions in the committed data. */
  versionCount: number;
  /** Entries skipped by the last successful sync (invalid entries). */
  skipped: number;
  /** The first skipped entries, for operators (capped). */
  skippedEntries?: SkippedEntry[];
  /** Source plugin state (cursor, last seen update …) given back on the next fetch. */
  sourceState?: JsonValue;
}
