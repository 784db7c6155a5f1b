import { compileChecker, type SchemaCheck } from '../model/schema-validator.js';
import type { ToolhiveImageEntry, ToolhiveRemoteEntry } from './toolhive-types.js';

// Only the structure the converters rely on is checked here (types of the fields they read); the
// converted server.json is validated against the full schema afterwards. Unknown fields pass, as
// ToolHive adds fields over time.
const text = { type: 'string' } as const;
const texts = { type: 'array', items: text } as const;
const object = { type: 'object' } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;

const envVar = {
  type: 'object',
  required: ['name'],
  properties: { name: text, description: text, required: { type: 'boolean' }, secret: { type: 'boolean' }, default: text },
} as const;

const header = {
  ...envVar,
  properties: { ...envVar.properties, choices: texts },
} as const;

const baseProperties = {
  name: text,
  title: text,
  description: text,
  tier: text,
  status: text,
  tools: texts,
  metadata: object,
  repository_url: text,
  tags: texts,
  overview: text,
  tool_definitions: { type: 'array', items: object },
  custom_metadata: object,
  proxy_port: port,
  env_vars: { type: 'array', items: envVar },
} as const;

const imageEntrySchema = {
  type: 'object',
  required: ['image'],
  properties: {
    ...baseProperties,
    image: { type: 'string', minLength: 1 },
    transport: { type: 'string', enum: ['stdio', 'sse', 'streamable-http'] },
    target_port: port,
    permissions: object,
    args: texts,
    docker_tags: texts,
    provenance: object,
  },
} as const;

const remoteEntrySchema = {
  type: 'object',
  required: ['url', 'transport'],
  properties: {
    ...baseProperties,
    url: { type: 'string', minLength: 1 },
    transport: { type: 'string', enum: ['sse', 'streamable-http'] },
    headers: { type: 'array', items: header },
    oauth_config: object,
  },
} as const;

/** Checks that a value has the structure of a legacy container entry; the reason names the field. */
export const checkImageEntry: (value: unknown) => SchemaCheck<ToolhiveImageEntry> =
  compileChecker<ToolhiveImageEntry>(imageEntrySchema);

/** Checks that a value has the structure of a legacy remote entry; the reason names the field. */
export const checkRemoteEntry: (value: unknown) => SchemaCheck<ToolhiveRemoteEntry> =
  compileChecker<ToolhiveRemoteEntry>(remoteEntrySchema);
