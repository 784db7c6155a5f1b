import type { ServerStatus, SkippedEntry, SourceEntry, StoredEntry } from '../interfaces/model.js';
import { hashValue } from '../util/hash.js';

/** The entries to commit, and the incoming entries dropped while building them. */
export interface BuiltSnapshot {
  entries: StoredEntry[];
  skipped: SkippedEntry[];
}

/** How incoming entries combine with the previous snapshot. */
export type SnapshotMode = 'full' | 'delta';

/** Identity of a server version inside a registry. */
export function entryKey(name: string, version: string): string {
  return `${name}\u0000${version}`;
}

/**
 * What building the next snapshot needs to know about a committed entry: its timestamps, status
 * and content hash, but not its server.json.
 */
export type PriorEntry = Pick<StoredEntry, 'status' | 'publishedAt' | 'updatedAt' | 'statusChangedAt' | 'contentHash'>;

/** Committed entries by {@link entryKey}, reduced to what the next snapshot carries over. */
export type PriorEntries = ReadonlyMap<string, PriorEntry>;

/**
 * The {@link PriorEntries} of a snapshot. Small next to the entries themselves, so a sync keeps
 * this between runs and lets the server.json objects go.
 */
export function priorEntries(entries: readonly StoredEntry[]): PriorEntries {
  const prior = new Map<string, PriorEntry>();
  for (const { server, status, publishedAt, updatedAt, statusChangedAt, contentHash } of entries) {
    prior.set(entryKey(server.name, server.version), { status, publishedAt, updatedAt, statusChangedAt, contentHash });
  }
  return prior;
}

/**
 * Turns what a source delivered into stored entries, carrying timestamps across syncs
 * (architecture §6): `publishedAt` is the upstream value, else when this registry first saw the
 * version; `updatedAt` is the upstream value, else it moves only when the content hash changes;
 * `statusChangedAt` moves only when the status changes. In `delta` mode the incoming entries are
 * upserts over `previous`, which must then be the committed entries themselves; in `full` mode they
 * replace it, and {@link PriorEntries} are enough.
 */
export function buildSnapshot(
  incoming: readonly SourceEntry[],
  previous: readonly StoredEntry[] | PriorEntries | undefined,
  now: string,
  mode: SnapshotMode = 'full',
): BuiltSnapshot {
  const before = previous === undefined ? new Map<string, PriorEntry>() : isEntryList(previous) ? priorEntries(previous) : previous;
  const result = new Map<string, StoredEntry>();
  if (mode === 'delta' && previous !== undefined) {
    if (!isEntryList(previous)) throw new Error('a delta snapshot needs the committed entries, not only their prior state');
    for (const entry of previous) result.set(entryKey(entry.server.name, entry.server.version), entry);
  }
  const seen = new Set<string>();
  const skipped: SkippedEntry[] = [];
  for (const entry of incoming) {
    const { name, version } = entry.server;
    const key = entryKey(name, version);
    if (seen.has(key)) {
      skipped.push({ name, version, reason: 'duplicate name and version in the source; the first one is kept' });
      continue;
    }
    seen.add(key);
    result.set(key, toStored(entry, before.get(key), now));
  }
  return { entries: [...result.values()], skipped };
}

function isEntryList(previous: readonly StoredEntry[] | PriorEntries): previous is readonly StoredEntry[] {
  return Array.isArray(previous);
}

function toStored(entry: SourceEntry, prior: PriorEntry | undefined, now: string): StoredEntry {
  const official = entry.official ?? {};
  const status: ServerStatus = official.status ?? 'active';
  const contentHash = hashValue({ server: entry.server, status, statusMessage: official.statusMessage ?? null });
  const unchanged = prior !== undefined && prior.contentHash === contentHash;
  const stored: StoredEntry = {
    server: entry.server,
    status,
    publishedAt: official.publishedAt ?? prior?.publishedAt ?? now,
    updatedAt: official.updatedAt ?? (unchanged ? prior.updatedAt : now),
    statusChangedAt: official.statusChangedAt ?? (prior !== undefined && prior.status === status ? prior.statusChangedAt : now),
    contentHash,
  };
  if (official.statusMessage !== undefined) stored.statusMessage = official.statusMessage;
  if (official.isLatest !== undefined) stored.isLatest = official.isLatest;
  return stored;
}
