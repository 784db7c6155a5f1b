import type { ServerJSON } from './server-json.js';
import { serverSchema } from './server-schema.js';
import { compileChecker } from './schema-validator.js';

/** The outcome of {@link validateServer}. */
export type ServerValidation = { ok: true; server: ServerJSON } | { ok: false; reason: string };

const checkServer = compileChecker<ServerJSON>(serverSchema);

/**
 * Checks a value against the server.json schema (2025-12-11). On failure the reason is short and
 * names the field, e.g. `/description must NOT have more than 100 characters`.
 */
export function validateServer(value: unknown): ServerValidation {
  const checked = checkServer(value);
  return checked.ok ? { ok: true, server: checked.value } : checked;
}
