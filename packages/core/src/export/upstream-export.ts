import type { CatalogView } from '../interfaces/catalog.js';
import type { ServerJSON } from '../interfaces/model.js';
import { everyEntry, rfc3339Seconds, serverOf } from './catalog-entries.js';

/** `$schema` of ToolHive's upstream wrapped registry file. */
export const UPSTREAM_REGISTRY_SCHEMA_URL =
  'https://raw.githubusercontent.com/stacklok/toolhive/main/pkg/registry/data/upstream-registry.schema.json';

/** An upstream wrapped registry file. */
export interface UpstreamRegistryDocument {
  $schema: string;
  version: string;
  meta: { last_updated: string };
  data: { servers: ServerJSON[] };
}

/** The result of {@link exportUpstream}. */
export interface UpstreamExport {
  document: UpstreamRegistryDocument;
  /** Servers with at least one exported version. */
  servers: number;
  /** Exported versions. */
  versions: number;
}

/** Options of the file exports. */
export interface FileExportOptions {
  /** `last_updated` of the document (default: now). */
  now?: Date;
}

/**
 * A view as an upstream wrapped file: every non-deleted version's server.json in (name, version)
 * order. Reading the file back (`parseDocument`) gives the same servers. The registry's own
 * metadata (status, publish and update times) is not part of server.json and is not written.
 */
export function exportUpstream(view: CatalogView, options: FileExportOptions = {}): UpstreamExport {
  const servers = everyEntry(view).map(serverOf);
  return {
    document: {
      $schema: UPSTREAM_REGISTRY_SCHEMA_URL,
      version: '1.0.0',
      meta: { last_updated: rfc3339Seconds(options.now ?? new Date()) },
      data: { servers },
    },
    servers: new Set(servers.map((server) => server.name)).size,
    versions: servers.length,
  };
}
