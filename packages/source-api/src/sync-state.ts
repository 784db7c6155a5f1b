import type { JsonValue } from '@thv/registry-core';
import { keyToMs, sha256, timeKey, type Row } from './rows.js';

/**
 * How far back an incremental fetch reaches before the last seen update time. An upstream may
 * commit a version stamped slightly before another it committed first; the overlap fetches such
 * late arrivals again, and {@link ApiSourceState.windowDigest} tells whether any of them are new.
 */
export const OVERLAP_MS = 60_000;

/** The source state kept between fetches (persisted by core as the sync status' source state). */
export interface ApiSourceState {
  /** The newest `updatedAt` seen, as the upstream wrote it. */
  lastUpdatedAt?: string;
  /** When the last full read started (RFC 3339). */
  lastFullSync?: string;
  /** Hash of the rows updated within the overlap window ending at `lastUpdatedAt`. */
  windowDigest?: string;
}

/** Reads a previous source state; anything unusable is left out, which forces a full read. */
export function readState(value: JsonValue | undefined): ApiSourceState {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const state: ApiSourceState = {};
  const { lastUpdatedAt, lastFullSync, windowDigest } = value;
  if (typeof lastUpdatedAt === 'string' && timeKey(lastUpdatedAt) !== undefined) state.lastUpdatedAt = lastUpdatedAt;
  if (typeof lastFullSync === 'string' && !Number.isNaN(Date.parse(lastFullSync))) state.lastFullSync = lastFullSync;
  if (typeof windowDigest === 'string') state.windowDigest = windowDigest;
  return state;
}

/** The state as a JSON value, without absent fields. */
export function stateValue(state: ApiSourceState): JsonValue {
  const value: Record<string, string> = {};
  if (state.lastUpdatedAt !== undefined) value['lastUpdatedAt'] = state.lastUpdatedAt;
  if (state.lastFullSync !== undefined) value['lastFullSync'] = state.lastFullSync;
  if (state.windowDigest !== undefined) value['windowDigest'] = state.windowDigest;
  return value;
}

/** The `updated_since` of an incremental fetch after `lastUpdatedAt`: {@link OVERLAP_MS} before it. */
export function windowStart(lastUpdatedAt: string): string {
  return new Date(keyToMs(timeKey(lastUpdatedAt) as string) - OVERLAP_MS).toISOString();
}

/** Rows updated after `windowStart(lastUpdatedAt)` and no later than `lastUpdatedAt`. */
export function rowsInWindow(rows: Iterable<Row>, lastUpdatedAt: string): Row[] {
  const start = timeKey(windowStart(lastUpdatedAt)) as string;
  const end = timeKey(lastUpdatedAt) as string;
  const inside: Row[] = [];
  for (const row of rows) {
    if (row.updatedKey !== undefined && row.updatedKey > start && row.updatedKey <= end) inside.push(row);
  }
  return inside;
}

/** Digest of the rows in the overlap window (see {@link rowsInWindow}). */
export function windowDigest(rows: Iterable<Row>, lastUpdatedAt: string): string {
  const lines = rowsInWindow(rows, lastUpdatedAt).map((row) => `${row.key}\u0000${row.updatedAt}\u0000${row.status ?? ''}`);
  return sha256(lines.sort().join('\n'));
}
