/**
 * Compiles a name glob into an anchored regular expression. `*` matches any run of characters,
 * including `/` (server names are `namespace/name`, and `io.github.*` must reach past the slash);
 * `?` matches exactly one character; everything else, dots included, is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}/]/g, '\\$&');
  }
  // `s` so that `*` and `?` also match line breaks; `u` so that `?` is one code point, not one UTF-16 unit.
  return new RegExp(`^${source}$`, 'su');
}

/** Compiles several globs into one predicate that is true when any of them matches the whole name. */
export function anyGlob(globs: readonly string[]): (name: string) => boolean {
  const patterns = globs.map(globToRegExp);
  return (name) => patterns.some((pattern) => pattern.test(name));
}
