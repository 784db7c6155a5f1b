import { serverToToolhive } from '../formats/server-to-toolhive.js';
import type { ToolhiveImageEntry, ToolhiveRemoteEntry } from '../formats/toolhive-types.js';
import type { CatalogView } from '../interfaces/catalog.js';
import { everyEntry, rfc3339Seconds, serverOf, type ExportSkip } from './catalog-entries.js';
import type { FileExportOptions } from './upstream-export.js';

/** `$schema` of ToolHive's legacy registry file. */
export const TOOLHIVE_REGISTRY_SCHEMA_URL =
  'https://raw.githubusercontent.com/stacklok/toolhive/main/pkg/registry/data/toolhive-legacy-registry.schema.json';

/** A ToolHive legacy registry file as {@link exportToolhive} writes it. */
export interface ToolhiveRegistryDocument {
  $schema: string;
  version: string;
  last_updated: string;
  servers: Record<string, ToolhiveImageEntry>;
  remote_servers: Record<string, ToolhiveRemoteEntry>;
}

/** The result of {@link exportToolhive}. */
export interface ToolhiveExport {
  document: ToolhiveRegistryDocument;
  /** Container entries written. */
  containers: number;
  /** Remote entries written. */
  remotes: number;
  /** Servers left out: not expressible in the format, or a key already taken. */
  skipped: ExportSkip[];
}

/**
 * A view as a ToolHive legacy file: the latest version of each server, in name order, converted
 * with `serverToToolhive`. A server the format cannot describe (no OCI package and no remote) is
 * skipped, and so is a server whose key (the part of its name after the `/`) an earlier server
 * already took. A server served as `deprecated` gets ToolHive's `Deprecated` status, which reads
 * back as `deprecated`.
 */
export function exportToolhive(view: CatalogView, options: FileExportOptions = {}): ToolhiveExport {
  // Maps, turned into objects with fromEntries, so that any key (`__proto__` too) is an own property.
  const servers = new Map<string, ToolhiveImageEntry>();
  const remoteServers = new Map<string, ToolhiveRemoteEntry>();
  const owners = new Map<string, string>();
  const skipped: ExportSkip[] = [];
  for (const latest of everyEntry(view, 'latest')) {
    const server = serverOf(latest);
    const conversion = serverToToolhive(server);
    if (!conversion.ok) {
      skipped.push({ name: server.name, version: server.version, reason: conversion.reason });
      continue;
    }
    const owner = owners.get(conversion.key);
    if (owner !== undefined) {
      skipped.push({ name: server.name, version: server.version, reason: `its key "${conversion.key}" is already used by ${owner}` });
      continue;
    }
    owners.set(conversion.key, server.name);
    if (latest.status === 'deprecated') conversion.entry.status = 'Deprecated';
    if (conversion.kind === 'server') servers.set(conversion.key, conversion.entry);
    else remoteServers.set(conversion.key, conversion.entry);
  }
  return {
    document: {
      $schema: TOOLHIVE_REGISTRY_SCHEMA_URL,
      version: '1.0.0',
      last_updated: rfc3339Seconds(options.now ?? new Date()),
      servers: Object.fromEntries(servers),
      remote_servers: Object.fromEntries(remoteServers),
    },
    containers: servers.size,
    remotes: remoteServers.size,
    skipped,
  };
}
