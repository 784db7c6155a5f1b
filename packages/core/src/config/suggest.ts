import { closest, distance } from 'fastest-levenshtein';

/**
 * The known key a mistyped key most likely meant, or undefined when none is close. Close means a
 * small edit distance (case ignored) or one name starting with the other (`password` → `passwordFile`).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const lower = key.toLowerCase();
  const candidates = known.map((name) => name.toLowerCase());
  const best = closest(lower, candidates);
  const index = candidates.indexOf(best);
  // Two edits cover a swapped pair of letters (`gti`); long keys tolerate a third of their length.
  const limit = key.length < 3 ? 1 : Math.max(2, Math.ceil(key.length / 3));
  if (distance(lower, best) <= limit) return known[index];
  return known.find((name) => isPrefixPair(lower, name.toLowerCase()));
}

/** True when one name starts with the other and both are long enough for that to mean something. */
function isPrefixPair(a: string, b: string): boolean {
  return a.length >= 4 && b.length >= 4 && (a.startsWith(b) || b.startsWith(a));
}

/** `unknown key "brnch" (did you mean "branch"?)`, or without the hint when nothing is close. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = closestKey(key, known);
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return `unknown key "${key}"${hint}`;
}
