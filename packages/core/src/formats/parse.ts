import { isDeepStrictEqual } from 'node:util';
import type { FormatHint, ParsedDocument, SkippedEntry, SourceEntry } from '../interfaces/model.js';
import { validateServer } from '../model/validate.js';
import type { Candidate } from './candidate.js';
import { assertFormatHint, detectFormat } from './detect.js';
import { toolhiveCandidates } from './toolhive-document.js';
import { upstreamCandidates } from './upstream-document.js';

/**
 * Reads a registry document in any supported format into validated server.json entries.
 *
 * The format is detected from the document's shape; a `hint` (the source's configured `format`)
 * that contradicts it is a `FormatError`, as is a document in no known format. Every entry is
 * converted if needed and validated on its own: an invalid one is recorded in `skipped` with its
 * name and the reason, and the rest still load. When two entries share a name and version the
 * first is kept; the second is recorded as skipped unless it is identical (a ToolHive group
 * repeating a top-level server).
 */
export function parseDocument(document: unknown, hint?: FormatHint): ParsedDocument {
  const format = detectFormat(document);
  assertFormatHint(format, hint);
  const candidates =
    format === 'toolhive'
      ? toolhiveCandidates(document as Record<string, unknown>)
      : upstreamCandidates(format, document);
  return { format, ...validateCandidates(candidates) };
}

function validateCandidates(candidates: Candidate[]): Pick<ParsedDocument, 'entries' | 'skipped'> {
  const entries: SourceEntry[] = [];
  const skipped: SkippedEntry[] = [];
  const seen = new Map<string, SourceEntry>();
  for (const candidate of candidates) {
    if ('reason' in candidate) {
      skipped.push({ name: candidate.label, reason: candidate.reason });
      continue;
    }
    const checked = validateServer(candidate.server);
    if (!checked.ok) {
      skipped.push({ ...identify(candidate.server, candidate.label), reason: checked.reason });
      continue;
    }
    const { server } = checked;
    const entry: SourceEntry = candidate.official === undefined ? { server } : { server, official: candidate.official };
    const id = `${server.name}@${server.version}`;
    const earlier = seen.get(id);
    if (earlier === undefined) {
      seen.set(id, entry);
      entries.push(entry);
    } else if (!isDeepStrictEqual(earlier, entry)) {
      skipped.push({ name: server.name, version: server.version, reason: 'an earlier entry has the same name and version' });
    }
  }
  return { entries, skipped };
}

// An invalid server may still carry a usable name and version; else its place in the document names it.
function identify(server: unknown, label: string): Pick<SkippedEntry, 'name' | 'version'> {
  const { name, version } = (typeof server === 'object' && server !== null ? server : {}) as Record<string, unknown>;
  const identity: Pick<SkippedEntry, 'name' | 'version'> = { name: typeof name === 'string' && name !== '' ? name : label };
  if (typeof version === 'string') identity.version = version;
  return identity;
}
