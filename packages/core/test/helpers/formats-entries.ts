import type { ServerJSON } from '../../src/model/server-json.js';
import type { ToolhiveImageEntry, ToolhiveRemoteEntry } from '../../src/formats/toolhive-types.js';

/** A small legacy container entry; `fields` override or add to it. */
export function imageEntry(fields: Partial<ToolhiveImageEntry> = {}): ToolhiveImageEntry {
  return {
    description: 'Fetches web pages for the model',
    tier: 'Official',
    status: 'Active',
    transport: 'stdio',
    tools: ['fetch'],
    image: 'ghcr.io/example/fetch:1.2.3',
    ...fields,
  };
}

/** A small legacy remote entry; `fields` override or add to it. */
export function remoteEntry(fields: Partial<ToolhiveRemoteEntry> = {}): ToolhiveRemoteEntry {
  return {
    description: 'Hosted issue tracker tools',
    tier: 'Community',
    status: 'Active',
    transport: 'streamable-http',
    tools: ['list_issues'],
    url: 'https://mcp.example.com/mcp',
    ...fields,
  };
}

/** A minimal valid server.json document; `fields` override or add to it. */
export function serverJson(fields: Partial<ServerJSON> = {}): ServerJSON {
  return {
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
    name: 'io.github.example/weather',
    description: 'Weather forecasts',
    version: '1.0.0',
    ...fields,
  };
}
