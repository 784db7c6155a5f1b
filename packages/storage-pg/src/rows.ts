import { StorageError, type ServerStatus, type StoredEntry, type SyncStatus } from '@thv/registry-core';

/** SQL that renders a timestamptz column as RFC 3339 in UTC with microseconds. */
export function isoColumn(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * A timestamp as {@link isoColumn} renders it, shortened to milliseconds when the last three
 * digits are zero: what `Date.prototype.toISOString` writes comes back unchanged, and finer
 * upstream timestamps keep their microseconds.
 */
export function isoFromColumn(text: string): string {
  return text.replace(/\.(\d{3})000Z$/, '.$1Z');
}

/** One row of `registry_entries` as {@link ENTRY_COLUMNS} selects it. */
export interface EntryRow {
  name: string;
  version: string;
  server: StoredEntry['server'];
  status: string;
  status_message: string | null;
  published_at: string;
  updated_at: string;
  status_changed_at: string;
  is_latest: boolean | null;
  content_hash: string;
}

/** The select list that yields an {@link EntryRow}. */
export const ENTRY_COLUMNS = [
  'name',
  'version',
  'server',
  'status',
  'status_message',
  `${isoColumn('published_at')} AS published_at`,
  `${isoColumn('updated_at')} AS updated_at`,
  `${isoColumn('status_changed_at')} AS status_changed_at`,
  'is_latest',
  'content_hash',
].join(', ');

const STATUSES: ReadonlySet<string> = new Set<ServerStatus>(['active', 'deprecated', 'deleted']);
const PHASES: ReadonlySet<unknown> = new Set(['Syncing', 'Complete', 'Failed']);

/** A stored entry from its row; optional fields are absent when NULL. */
export function entryFromRow(row: EntryRow, registry: string): StoredEntry {
  if (!STATUSES.has(row.status)) {
    throw new StorageError(`corrupt entry ${row.name}@${row.version} of registry "${registry}": unknown status "${row.status}"`);
  }
  return {
    server: row.server,
    status: row.status as ServerStatus,
    ...(row.status_message === null ? {} : { statusMessage: row.status_message }),
    publishedAt: isoFromColumn(row.published_at),
    updatedAt: isoFromColumn(row.updated_at),
    statusChangedAt: isoFromColumn(row.status_changed_at),
    contentHash: row.content_hash,
    ...(row.is_latest === null ? {} : { isLatest: row.is_latest }),
  };
}

/** The stored sync status; a value that is not one is a `StorageError` naming the registry. */
export function statusFromColumn(value: unknown, registry: string): SyncStatus {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !PHASES.has((value as { phase?: unknown }).phase)) {
    throw new StorageError(`corrupt sync status of registry "${registry}" in registry_sync_status: not a sync status`);
  }
  return value as SyncStatus;
}

/**
 * The status as JSON for a jsonb column. jsonb cannot hold U+0000, which an error message may
 * carry: it becomes U+FFFD.
 */
export function statusToJson(status: SyncStatus): string {
  return JSON.stringify(status, (_key, value: unknown) => (typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value));
}

/**
 * The rows of {@link entryRecords} in the parameter `$2`, as a FROM item `k(name, version, status,
 * status_message, published_at, updated_at, status_changed_at, is_latest, content_hash, i)` where
 * `i` is the entry's 1-based position.
 */
export const ENTRY_RECORDSET = `ROWS FROM (json_to_recordset($2::json) AS (
    name text, version text, status text, status_message text, published_at timestamptz,
    updated_at timestamptz, status_changed_at timestamptz, is_latest boolean, content_hash text))
  WITH ORDINALITY AS k(name, version, status, status_message, published_at, updated_at, status_changed_at,
                       is_latest, content_hash, i)`;

/**
 * The documents of {@link serverDocuments} in the parameter `$3`, as a FROM item `d(server, i)`
 * whose `i` matches {@link ENTRY_RECORDSET}'s. The documents are kept as `json` text, which may
 * hold `\u0000` where a record field of `json_to_recordset` may not.
 */
export const SERVER_DOCUMENTS = 'json_array_elements($3::json) WITH ORDINALITY AS d(server, i)';

/**
 * Entries' metadata as one JSON array of records for {@link ENTRY_RECORDSET}: one parameter
 * carries many rows.
 */
export function entryRecords(entries: readonly StoredEntry[]): string {
  return JSON.stringify(
    entries.map((entry) => ({
      name: entry.server.name,
      version: entry.server.version,
      status: entry.status,
      status_message: entry.statusMessage ?? null,
      published_at: entry.publishedAt,
      updated_at: entry.updatedAt,
      status_changed_at: entry.statusChangedAt,
      is_latest: entry.isLatest ?? null,
      content_hash: entry.contentHash,
    })),
  );
}

/**
 * Entries' server.json documents as one JSON array for {@link SERVER_DOCUMENTS}, in the same order
 * as {@link entryRecords}: each goes in as it is, where a text array would have escaped it twice more.
 */
export function serverDocuments(entries: readonly StoredEntry[]): string {
  return JSON.stringify(entries.map((entry) => entry.server));
}
