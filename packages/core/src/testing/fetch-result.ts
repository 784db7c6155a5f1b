import { isDeepStrictEqual } from 'node:util';
import type { SourceData, SourceFetchRequest } from '../interfaces/source.js';

/**
 * What is wrong with a fetch result, or undefined. `{ unchanged: true }` is acceptable only when
 * `unchangedAllowed`.
 */
export function resultProblem(result: unknown, unchangedAllowed: boolean): string | undefined {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    return `fetch resolved to ${describeValue(result)}, not a fetch result`;
  }
  const value = result as Omit<Partial<SourceData>, 'unchanged' | 'state'> & { unchanged?: unknown; state?: unknown };
  if (!isPlainJson(value.state)) return 'state is not plain JSON, so it would not survive storage';
  if (value.unchanged === true) return unchangedAllowed ? undefined : 'answered { unchanged: true } where data was needed';
  if (value.unchanged !== undefined && value.unchanged !== false) return 'unchanged must be true, false or absent';
  const problems: string[] = [];
  if (typeof value.fingerprint !== 'string' || value.fingerprint === '') problems.push('fingerprint is not a non-empty string');
  if (value.documents === undefined && value.entries === undefined) problems.push('neither documents nor entries is set');
  if (value.documents !== undefined && !Array.isArray(value.documents)) problems.push('documents is not an array');
  if (value.entries !== undefined) {
    if (!Array.isArray(value.entries)) problems.push('entries is not an array');
    else if (value.entries.some((entry: unknown) => entry === null || typeof entry !== 'object' || !('server' in entry))) {
      problems.push('entries holds an item that is not { server, official? }');
    }
  }
  if (value.mode !== undefined && value.mode !== 'full' && value.mode !== 'delta') problems.push('mode is neither "full" nor "delta"');
  return problems.length === 0 ? undefined : problems.join('; ');
}

// Storage keeps the JSON of the state: a value that JSON would change would come back different.
function isPlainJson(value: unknown): boolean {
  if (value === undefined) return true;
  try {
    return isDeepStrictEqual(JSON.parse(JSON.stringify(value)) as unknown, value);
  } catch {
    return false;
  }
}

/** The `previous` a sync coordinator would pass after `data` was committed. */
export function previousOf(data: SourceData): NonNullable<SourceFetchRequest['previous']> {
  return data.state === undefined ? { fingerprint: data.fingerprint } : { fingerprint: data.fingerprint, state: data.state };
}

/** `1 entry`, `2 entries`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** A fingerprint cut to fit a report line. */
export function short(fingerprint: string): string {
  return fingerprint.length > 24 ? `${fingerprint.slice(0, 23)}…` : fingerprint;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
