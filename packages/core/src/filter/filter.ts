import type { FilterConfig, IncludeExclude } from '../interfaces/config.js';
import type { SourceEntry } from '../interfaces/model.js';
import { toolhiveTags } from '../formats/toolhive-meta.js';
import { hashValue } from '../util/hash.js';
import { anyGlob } from './glob.js';

/** Decides whether one source entry is kept. */
export type EntryFilter = (entry: SourceEntry) => boolean;

/**
 * Compiles a registry's `filter:` block into a predicate over source entries.
 *
 * An entry is kept when all of these hold:
 * - `names.include` is absent or empty, or the server name matches one of its globs;
 * - the name matches none of the `names.exclude` globs;
 * - `tags.include` is absent or empty, or the entry has at least one of those tags;
 * - the entry has none of the `tags.exclude` tags.
 *
 * Name globs match the whole name, case-sensitively: `*` matches any run of characters including
 * `/`, `?` exactly one character, everything else (dots included) is literal. Tags are compared
 * exactly and come from the entry's ToolHive metadata; an entry without tags fails any
 * `tags.include`. With no filter at all, every entry is kept.
 */
export function compileFilter(filter?: FilterConfig): EntryFilter {
  const checks: EntryFilter[] = [];
  const namesIn = filter?.names?.include ?? [];
  const namesOut = filter?.names?.exclude ?? [];
  const tagsIn = new Set(filter?.tags?.include ?? []);
  const tagsOut = new Set(filter?.tags?.exclude ?? []);

  if (namesIn.length > 0) {
    const included = anyGlob(namesIn);
    checks.push((entry) => included(entry.server.name));
  }
  if (namesOut.length > 0) {
    const excluded = anyGlob(namesOut);
    checks.push((entry) => !excluded(entry.server.name));
  }
  // Tags are read once per entry for both tag checks.
  if (tagsIn.size > 0 || tagsOut.size > 0) {
    checks.push((entry) => {
      const tags = toolhiveTags(entry.server);
      if (tagsIn.size > 0 && !tags.some((tag) => tagsIn.has(tag))) return false;
      return !tags.some((tag) => tagsOut.has(tag));
    });
  }
  return (entry) => checks.every((check) => check(entry));
}

/**
 * A stable hash of a filter, so the sync can tell that the filter changed and re-apply it even when
 * the source did not. Filters that select the same entries in the same way hash equally: list order,
 * duplicates and empty lists or blocks do not count, and no filter equals an empty one.
 */
export function filterHash(filter?: FilterConfig): string {
  return hashValue({ names: canonicalLists(filter?.names), tags: canonicalLists(filter?.tags) });
}

/** Sorted, deduplicated lists; an absent list becomes an empty one. */
function canonicalLists(block: IncludeExclude | undefined): { include: string[]; exclude: string[] } {
  return { include: sortedUnique(block?.include), exclude: sortedUnique(block?.exclude) };
}

function sortedUnique(values: readonly string[] | undefined): string[] {
  return [...new Set(values ?? [])].sort();
}
