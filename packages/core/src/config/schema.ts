import type { FromSchema } from 'json-schema-to-ts';

/**
 * JSON schema of core's part of the configuration file (draft-07). It checks shape only: the
 * rules that span fields (the two registry forms, durations, the source block named by
 * `source.type`, storage against `database`) live in the builders beside it. Each plugin's own
 * block (`source.git`, `storage`'s other keys) is left open here and checked against the plugin's
 * `configSchema` when the plugin is loaded.
 */

const nonEmptyString = { type: 'string', minLength: 1 } as const;

const stringList = { type: 'array', items: nonEmptyString } as const;

const includeExclude = {
  type: 'object',
  additionalProperties: false,
  properties: { include: stringList, exclude: stringList },
} as const;

const filterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { names: includeExclude, tags: includeExclude },
} as const;

const syncPolicySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { interval: { type: 'string' }, timeout: { type: 'string' } },
} as const;

// Open: the block named by `type` sits beside these keys; the source builder checks the rest.
const sourceSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: nonEmptyString,
    format: { enum: ['toolhive', 'upstream'] },
    plugin: nonEmptyString,
  },
} as const;

const registrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'source'],
  properties: {
    name: nonEmptyString,
    source: sourceSchema,
    syncPolicy: syncPolicySchema,
    filter: filterSchema,
  },
} as const;

const databaseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port', 'user', 'database'],
  properties: {
    host: nonEmptyString,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    user: nonEmptyString,
    database: nonEmptyString,
    passwordFile: nonEmptyString,
    migrationUser: nonEmptyString,
    migrationPasswordFile: nonEmptyString,
    sslMode: { enum: ['disable', 'require', 'verify-ca', 'verify-full'] },
    maxOpenConns: { type: 'integer', minimum: 1 },
    maxIdleConns: { type: 'integer', minimum: 0 },
    connMaxLifetime: { type: 'string' },
    connectTimeout: { type: 'string' },
    statementTimeout: { type: 'string' },
  },
} as const;

// Open: every key but `type` and `plugin` belongs to the storage plugin. `type` defaults to `fs`
// (or `pg` beside a database block), so `storage: { path: ./x }` is enough for the default.
const storageSchema = {
  type: 'object',
  properties: { type: nonEmptyString, plugin: nonEmptyString },
} as const;

const serverSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { address: { type: 'string' }, waitForDatabase: { type: 'boolean' } },
} as const;

/** The whole file: the single-registry form's keys and the multi-registry `registries` list. */
export const configFileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    registryName: nonEmptyString,
    source: sourceSchema,
    syncPolicy: syncPolicySchema,
    filter: filterSchema,
    registries: { type: 'array', minItems: 1, items: registrySchema },
    database: databaseSchema,
    storage: storageSchema,
    dataDir: nonEmptyString,
    server: serverSchema,
  },
} as const;

/** The file as written, once it matches {@link configFileSchema}. */
export type ConfigFile = FromSchema<typeof configFileSchema>;
/** One `source:` block as written. */
export type SourceFile = NonNullable<ConfigFile['source']>;
/** One `syncPolicy:` block as written. */
export type SyncPolicyFile = NonNullable<ConfigFile['syncPolicy']>;
/** The `database:` block as written. */
export type DatabaseFile = NonNullable<ConfigFile['database']>;
/** The `storage:` block as written. */
export type StorageFile = NonNullable<ConfigFile['storage']>;
