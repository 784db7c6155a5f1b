import { DURATION_PATTERN } from '@thv/registry-core';

/** Default `maxBytes`: 50 MiB, far above any real registry document. */
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** Default `timeout` of a url fetch. */
export const DEFAULT_TIMEOUT = '30s';

/** The rule `path` and `url` break, in each error about them. */
const EXACTLY_ONE = 'exactly one of path or url must be set';

/**
 * JSON schema of the `source.file` block. Exactly one of `path` or `url`.
 */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Path of the registry file. A relative path is relative to the config file.',
    },
    url: {
      type: 'string',
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]',
      description:
        'http or https URL of the registry file. Credentials in the URL (https://user:pass@host/…) are sent as HTTP basic auth and never logged.',
    },
    timeout: {
      type: 'string',
      pattern: DURATION_PATTERN,
      default: DEFAULT_TIMEOUT,
      description: 'Time limit of one url fetch, body included (e.g. 30s, 2m). Applies to url only.',
    },
    maxBytes: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_MAX_BYTES,
      description: 'Largest registry document accepted, in bytes; a larger file or response fails the fetch.',
    },
  },
  // Exactly one of path or url: one is required (the error is at the block), and url is refused
  // next to path (the error is at url).
  allOf: [{ anyOf: [{ required: ['path'] }, { required: ['url'] }], errorMessage: `${EXACTLY_ONE} (got neither)` }],
  dependencies: { path: { properties: { url: { not: {}, errorMessage: `${EXACTLY_ONE} (got both)` } } } },
} as const;

/** The `source.file` block as the plugin receives it (defaults may not be applied yet). */
export interface FileSourceConfig {
  /** Registry file path; relative to the config file. */
  path?: string;
  /** http(s) URL of the registry file. */
  url?: string;
  /** Duration string, default {@link DEFAULT_TIMEOUT}; url only. */
  timeout?: string;
  /** Size limit in bytes, default {@link DEFAULT_MAX_BYTES}. */
  maxBytes?: number;
}
