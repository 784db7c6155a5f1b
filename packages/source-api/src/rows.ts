import { createHash } from 'node:crypto';
import { OFFICIAL_META_KEY } from '@thv/registry-core';

/**
 * One item of an upstream list page (`{ server, _meta }`), with what paging, de-duplication and
 * fingerprints need read from it. The item itself goes to core untouched, which validates it and
 * takes its registry metadata.
 */
export interface Row {
  /** The item as the upstream sent it. */
  item: unknown;
  /** `name\0version`, or a key of its own when the item has no usable name and version. */
  key: string;
  /** `_meta[…official].updatedAt` as sent. */
  updatedAt?: string;
  /** {@link timeKey} of `updatedAt`: comparable as a string. */
  updatedKey?: string;
  /** `_meta[…official].status` as sent. */
  status?: string;
}

let anonymous = 0;

/** Reads the identity, update time and status of one list item. */
export function toRow(item: unknown): Row {
  const record = isObject(item) ? item : {};
  // An API response wraps the server; a bare server.json is accepted as core accepts it.
  const server = 'name' in record || !isObject(record['server']) ? record : record['server'];
  const { name, version } = server;
  const key =
    typeof name === 'string' && typeof version === 'string' ? `${name}\u0000${version}` : `\u0000item-${++anonymous}`;
  const row: Row = { item, key };
  const meta = isObject(record['_meta']) ? record['_meta'][OFFICIAL_META_KEY] : undefined;
  if (isObject(meta)) {
    const updatedKey = typeof meta['updatedAt'] === 'string' ? timeKey(meta['updatedAt']) : undefined;
    if (updatedKey !== undefined) {
      row.updatedAt = meta['updatedAt'] as string;
      row.updatedKey = updatedKey;
    }
    if (typeof meta['status'] === 'string') row.status = meta['status'];
  }
  return row;
}

/** Adds a row to a set keyed by name and version, keeping the most recently updated one. */
export function addRow(rows: Map<string, Row>, row: Row): void {
  const earlier = rows.get(row.key);
  if (earlier === undefined || (earlier.updatedKey ?? '') <= (row.updatedKey ?? '')) rows.set(row.key, row);
}

/** The most recently updated row, or undefined when no row carries an update time. */
export function newestRow(rows: Iterable<Row>): Row | undefined {
  let newest: Row | undefined;
  for (const row of rows) {
    if (row.updatedKey !== undefined && (newest === undefined || row.updatedKey > (newest.updatedKey as string))) newest = row;
  }
  return newest;
}

/**
 * Hex sha256 over the rows' (name, version, updatedAt, status), independent of their order. A row
 * without an update time contributes a hash of its whole content instead, so a change to it is
 * still seen.
 */
export function hashRows(rows: Iterable<Row>): string {
  const lines: string[] = [];
  for (const row of rows) {
    const changed = row.updatedAt ?? `content:${sha256(JSON.stringify(row.item) ?? '')}`;
    lines.push(`${row.key}\u0000${changed}\u0000${row.status ?? ''}`);
  }
  return sha256(lines.sort().join('\n'));
}

/** Hex sha256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 timestamp as a string that sorts in time order, in UTC with nanosecond precision
 * (`2025-08-07T13:15:04.280123000Z`), so that upstream timestamps finer than a millisecond compare
 * exactly. Undefined when the text is not an RFC 3339 date-time.
 */
export function timeKey(text: string): string | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [, date, time, fraction = '', zone] = match as unknown as [string, string, string, string | undefined, string];
  const seconds = Date.parse(`${date}T${time}${zone.toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  const utc = new Date(seconds).toISOString().slice(0, 19);
  return `${utc}.${fraction.padEnd(9, '0').slice(0, 9)}Z`;
}

/** Milliseconds since the epoch of a {@link timeKey}. */
export function keyToMs(key: string): number {
  return Date.parse(`${key.slice(0, 23)}Z`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
