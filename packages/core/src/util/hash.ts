import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** Hex sha256 of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hex sha256 of a value's canonical JSON: equal values give equal hashes. */
export function hashValue(value: unknown): string {
  return sha256(canonicalJson(value));
}
