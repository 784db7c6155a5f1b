/**
 * Placeholder until the schema-generated type lands: `ServerJSON` is replaced by
 * `FromSchema<typeof serverSchema>` from `server-schema.ts`.
 */
export interface ServerJSON {
  $schema?: string;
  name: string;
  version: string;
  description: string;
  title?: string;
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}
