import { ConfigError } from '@thv/registry-core';
import type { GitSourceConfig } from './config-schema.js';

/** What the source reads: a branch, a tag, a pinned commit or the repository's default branch. */
export type GitRef =
  | { readonly kind: 'branch'; readonly name: string }
  | { readonly kind: 'tag'; readonly name: string }
  | { readonly kind: 'commit'; readonly sha: string }
  | { readonly kind: 'default' };

const SHA = /^[0-9a-f]{40}$/;

/** The ref of a `source.git` block; more than one of branch, tag and commit is a `ConfigError`. */
export function refFromConfig(config: Pick<GitSourceConfig, 'branch' | 'tag' | 'commit'>): GitRef {
  const given = (['branch', 'tag', 'commit'] as const).filter((key) => config[key] !== undefined);
  if (given.length > 1) {
    throw new ConfigError(`git source takes at most one of branch, tag or commit (got ${given.join(' and ')})`);
  }
  if (config.branch !== undefined) return { kind: 'branch', name: config.branch.replace(/^refs\/heads\//, '') };
  if (config.tag !== undefined) return { kind: 'tag', name: config.tag.replace(/^refs\/tags\//, '') };
  if (config.commit !== undefined) {
    const sha = config.commit.toLowerCase();
    if (!SHA.test(sha)) throw new ConfigError('git source commit must be a full 40-character hexadecimal sha');
    return { kind: 'commit', sha };
  }
  return { kind: 'default' };
}

/** The ref as `describe()` shows it: the branch or tag name, the sha, or `HEAD`. */
export function refLabel(ref: GitRef): string {
  switch (ref.kind) {
    case 'branch':
    case 'tag':
      return ref.name;
    case 'commit':
      return ref.sha;
    case 'default':
      return 'HEAD';
  }
}

/** The ref in a sentence: `branch "main"`, `tag "v1.0.0"`, `commit 1a2b3c4`, `the default branch`. */
export function refPhrase(ref: GitRef): string {
  switch (ref.kind) {
    case 'branch':
      return `branch "${ref.name}"`;
    case 'tag':
      return `tag "${ref.name}"`;
    case 'commit':
      return `commit ${shortSha(ref.sha)}`;
    case 'default':
      return 'the default branch';
  }
}

/** The first 7 characters of a sha, as git abbreviates it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** Lists a few names for an error message: `dev, main` or `a, b, …, j (24 in all)`. */
export function fewNames(names: readonly string[], max = 10): string {
  const sorted = [...names].sort();
  if (sorted.length <= max) return sorted.join(', ');
  return `${sorted.slice(0, max).join(', ')}, … (${sorted.length} in all)`;
}
