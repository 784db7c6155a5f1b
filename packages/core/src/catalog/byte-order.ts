/**
 * Compares two strings in UTF-8 byte order (which is Unicode code point order), as PostgreSQL's
 * `COLLATE "C"` and the official registry do. JavaScript's `<` compares UTF-16 code units instead,
 * which puts characters above U+FFFF (surrogate pairs, e.g. emoji) before U+E000..U+FFFF.
 * Returns a negative number, zero or a positive number.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * Maps a UTF-16 code unit to a rank in code point order: surrogates (U+D800..U+DFFF, the start of
 * anything above U+FFFF) move after U+E000..U+FFFF. Only the first differing unit is ranked, and a
 * surrogate pair's high unit decides its order against any other unit.
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/** Compares two (name, version) keys: name first, then version, both in UTF-8 byte order. */
export function compareKeys(aName: string, aVersion: string, bName: string, bVersion: string): number {
  return compareUtf8(aName, bName) || compareUtf8(aVersion, bVersion);
}
