import { DURATION_PATTERN } from '@thv/registry-core';

/** Default `maxBytes`: 50 MiB, far above any real registry document. */
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** Default `timeout` of one whole fetch (ref lookup, download and read). */
export const DEFAULT_TIMEOUT = '2m';

/** A full commit sha, as the `commit` field takes it. */
export const COMMIT_PATTERN = '^[0-9a-fA-F]{40}$';

/** A key that must be absent because `set` is present; the error names both. */
function conflicting(set: string, extra: string) {
  return { not: {}, errorMessage: `at most one of branch, tag or commit may be set (got ${set} and ${extra})` } as const;
}

/**
 * JSON schema of the `source.git` block. At most one of `branch`, `tag` or `commit`; with none the
 * remote's default branch is used.
 */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['repository', 'path'],
  properties: {
    repository: {
      type: 'string',
      minLength: 1,
      description:
        'The git repository: an https:// or http:// URL, or the path of a local repository (bare or not; relative to the ' +
        'config file). Credentials in the URL (https://user:token@host/…) are used as basic auth and never logged.',
    },
    branch: {
      type: 'string',
      minLength: 1,
      description: 'Branch to read (e.g. main). At most one of branch, tag or commit; with none, the default branch of the repository.',
    },
    tag: {
      type: 'string',
      minLength: 1,
      description: 'Tag to read (lightweight or annotated). At most one of branch, tag or commit.',
    },
    commit: {
      type: 'string',
      pattern: COMMIT_PATTERN,
      description: 'Full 40-character commit sha to read. At most one of branch, tag or commit.',
    },
    path: {
      type: 'string',
      minLength: 1,
      description: 'Path of the registry file inside the repository (e.g. registry.json or data/registry.json).',
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['username', 'passwordFile'],
      description: 'HTTP basic auth for a private repository.',
      properties: {
        username: {
          type: 'string',
          minLength: 1,
          description: 'User name (for a token, any non-empty name your git host accepts, e.g. x-access-token or oauth2).',
        },
        passwordFile: {
          type: 'string',
          minLength: 1,
          description:
            'File holding the password or access token (relative to the config file; surrounding whitespace is trimmed). ' +
            'Read at each fetch; never logged.',
        },
      },
    },
    maxBytes: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_MAX_BYTES,
      description: 'Largest registry file accepted, in bytes; a larger file fails the fetch.',
    },
    timeout: {
      type: 'string',
      pattern: DURATION_PATTERN,
      default: DEFAULT_TIMEOUT,
      description: 'Time limit of one whole fetch: ref lookup, download and read (e.g. 30s, 2m).',
    },
  },
  // Each of branch, tag and commit forbids the other two; the error is at the extra key.
  dependencies: {
    branch: { properties: { tag: conflicting('branch', 'tag'), commit: conflicting('branch', 'commit') } },
    tag: { properties: { commit: conflicting('tag', 'commit') } },
  },
} as const;

/** The `source.git` block as the plugin receives it (defaults may not be applied yet). */
export interface GitSourceConfig {
  /** https/http URL, or a local path relative to the config file. */
  repository: string;
  branch?: string;
  tag?: string;
  /** Full commit sha. */
  commit?: string;
  /** The registry file inside the repository. */
  path: string;
  auth?: {
    username: string;
    /** Relative to the config file. */
    passwordFile: string;
  };
  /** Size limit in bytes, default {@link DEFAULT_MAX_BYTES}. */
  maxBytes?: number;
  /** Duration string, default {@link DEFAULT_TIMEOUT}. */
  timeout?: string;
}
