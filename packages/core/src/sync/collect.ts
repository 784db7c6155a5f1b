import type { FormatHint, SkippedEntry, SourceEntry } from '../interfaces/model.js';
import type { SourceData } from '../interfaces/source.js';
import { parseDocument } from '../formats/parse.js';
import { validateServer } from '../model/validate.js';

/** Entries of a fetch result in server.json form, with those that failed validation. */
export interface CollectedEntries {
  entries: SourceEntry[];
  skipped: SkippedEntry[];
}

/**
 * Turns a fetch result into validated entries: documents go through format detection and
 * conversion; entries a plugin delivered ready-made are validated too. An invalid entry is
 * skipped and recorded, never fatal.
 */
export function collectEntries(data: SourceData, format: FormatHint | undefined): CollectedEntries {
  const entries: SourceEntry[] = [];
  const skipped: SkippedEntry[] = [];
  for (const document of data.documents ?? []) {
    const parsed = parseDocument(document, format);
    entries.push(...parsed.entries);
    skipped.push(...parsed.skipped);
  }
  for (const entry of data.entries ?? []) {
    const checked = validateServer(entry.server);
    if (checked.ok) {
      entries.push(entry.official === undefined ? { server: checked.server } : { server: checked.server, official: entry.official });
    } else {
      skipped.push({ name: describeName(entry.server), reason: checked.reason });
    }
  }
  return { entries, skipped };
}

/** Entries of a fetch result after validation and the registry's filter. */
export interface GatheredEntries {
  /** Valid entries the filter keeps. */
  kept: SourceEntry[];
  /** Invalid entries, with why. */
  skipped: SkippedEntry[];
  /** Valid entries the filter drops. */
  filteredOut: number;
}

/** {@link collectEntries}, then the registry's filter: what a sync would commit (and `validate` previews). */
export function gatherEntries(
  data: SourceData,
  format: FormatHint | undefined,
  filter: (entry: SourceEntry) => boolean,
): GatheredEntries {
  const collected = collectEntries(data, format);
  const kept = collected.entries.filter(filter);
  return { kept, skipped: collected.skipped, filteredOut: collected.entries.length - kept.length };
}

function describeName(server: unknown): string {
  const name = (server as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '(entry without a name)';
}
