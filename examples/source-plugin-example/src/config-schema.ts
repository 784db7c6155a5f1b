/**
 * JSON schema of the `source.dir` block. The loader validates the block against it (with
 * ajv-formats and ajv-errors) before `create` runs, and names each problem by its config path,
 * e.g. `source.dir.onInvalidFile: must be one of "fail", "skip"`.
 */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Directory of server.json files. A relative path is relative to the config file.',
      // ajv-errors: one message instead of "must be string" / "must NOT have fewer than 1 characters".
      errorMessage: 'must be a non-empty path to a directory of server.json files',
    },
    recursive: {
      type: 'boolean',
      default: true,
      description: 'Also read the *.json files of subdirectories (servers/weather/1.0.0.json).',
    },
    onInvalidFile: {
      enum: ['fail', 'skip'],
      default: 'fail',
      description:
        'A file that is not a JSON object: `fail` the sync (the last good data stays served) or `skip` the file with a warning.',
    },
  },
} as const;

/** The `source.dir` block as the plugin receives it: validated, but without defaults filled in. */
export interface DirSourceConfig {
  /** The directory; relative to the config file. */
  path: string;
  /** Default true. */
  recursive?: boolean;
  /** Default `fail`. */
  onInvalidFile?: 'fail' | 'skip';
}
