import { isPlainObject } from '../config/config-path.js';
import type { DocumentFormat } from '../interfaces/model.js';
import type { Candidate } from './candidate.js';
import { readOfficialMeta } from './official-meta.js';

/**
 * The entries of an upstream document (API page, wrapped file or bare array), each either a
 * server.json document or an API response `{ server, _meta }` whose registry metadata is kept.
 * `document` must already be known to be in `format`.
 */
export function upstreamCandidates(format: Exclude<DocumentFormat, 'toolhive'>, document: unknown): Candidate[] {
  const [items, path] = serverList(format, document);
  return items.map((item, index) => toCandidate(item, `${path}[${index}]`));
}

function serverList(format: Exclude<DocumentFormat, 'toolhive'>, document: unknown): [unknown[], string] {
  const record = document as Record<string, unknown>;
  switch (format) {
    case 'upstream-array':
      return [document as unknown[], ''];
    case 'upstream-list':
      return [record['servers'] as unknown[], 'servers'];
    case 'upstream-wrapped':
      return [(record['data'] as Record<string, unknown>)['servers'] as unknown[], 'data.servers'];
  }
}

// A server.json document has a `name`; an API response wraps one in `server`.
function toCandidate(item: unknown, label: string): Candidate {
  if (!isPlainObject(item) || 'name' in item || !isPlainObject(item['server'])) return { label, server: item };
  const official = readOfficialMeta(item['_meta']);
  return official === undefined ? { label, server: item['server'] } : { label, server: item['server'], official };
}
