/** JSON schema of the fs storage block (`storage:` without `type`). */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description:
        'Directory that holds the snapshots. A relative path is relative to the config file. Default: the data directory.',
    },
  },
} as const;

/** The fs storage block as the plugin receives it. */
export interface FsStorageConfig {
  /** Storage directory; default: the deployment's data directory. */
  path?: string;
}
