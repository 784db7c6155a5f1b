import { isPlainObject } from '../config/config-path.js';
import { OFFICIAL_META_KEY, type OfficialMeta, type ServerStatus } from '../interfaces/model.js';

const STATUSES: readonly ServerStatus[] = ['active', 'deprecated', 'deleted'];
const TIMESTAMP_FIELDS = ['publishedAt', 'updatedAt', 'statusChangedAt'] as const;

/**
 * The registry metadata an upstream API response carries next to a server
 * (`_meta["io.modelcontextprotocol.registry/official"]`). Only well-typed fields are taken (a known
 * status, timestamps that parse, a boolean `isLatest`); undefined when nothing usable is there.
 */
export function readOfficialMeta(meta: unknown): Partial<OfficialMeta> | undefined {
  const block = isPlainObject(meta) ? meta[OFFICIAL_META_KEY] : undefined;
  if (!isPlainObject(block)) return undefined;
  const official: Partial<OfficialMeta> = {};
  const status = block['status'];
  if (STATUSES.includes(status as ServerStatus)) official.status = status as ServerStatus;
  if (typeof block['statusMessage'] === 'string') official.statusMessage = block['statusMessage'];
  for (const field of TIMESTAMP_FIELDS) {
    const value = block[field];
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) official[field] = value;
  }
  if (typeof block['isLatest'] === 'boolean') official.isLatest = block['isLatest'];
  return Object.keys(official).length > 0 ? official : undefined;
}
