import { InvalidParameterError } from '../errors.js';
import type { ListQuery } from '../interfaces/catalog.js';

/** `GET …/servers` query after schema validation (defaults applied, types coerced). */
export interface ListQuerystring {
  cursor?: string;
  limit: number;
  search?: string;
  updated_since?: string;
  version?: string;
  include_deleted: boolean;
}

/**
 * The catalog query of a validated list request. Empty strings mean "not given" (clients often
 * send `cursor=`), and `updated_since` implies deleted versions, as the official API specifies.
 * Keys are always in the same order, so the result can also key an ETag.
 */
export function toListQuery(query: ListQuerystring): ListQuery {
  const updatedSince = query.updated_since ? parseInstant(query.updated_since) : undefined;
  return {
    cursor: query.cursor || undefined,
    limit: query.limit,
    search: query.search || undefined,
    updatedSince,
    version: query.version || undefined,
    includeDeleted: query.include_deleted || updatedSince !== undefined,
  };
}

/** Epoch milliseconds of an RFC 3339 date-time the schema accepted but Date cannot read (`…T23:59:60Z`). */
function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new InvalidParameterError(`query parameter "updated_since" is not a usable RFC 3339 date-time: "${text}"`, {
      errors: [{ path: 'updated_since', message: 'must be an RFC 3339 date-time' }],
    });
  }
  return ms;
}
