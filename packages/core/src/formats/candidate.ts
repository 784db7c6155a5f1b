import type { OfficialMeta } from '../interfaces/model.js';

/**
 * One entry of a registry document on its way to validation: a server.json candidate (with the
 * registry metadata the document carried), or the reason it could not even be built. `label`
 * says where it is in the document (a key such as `fetch`, or a position such as `servers[3]`).
 */
export type Candidate =
  | { label: string; server: unknown; official?: Partial<OfficialMeta> }
  | { label: string; reason: string };
