import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the shared reference data lives (outside the repository). */
export const FIXTURES_DIR = process.env['THV_FIXTURES_DIR'] ?? '/work/shared/fixtures';

/** A parsed JSON fixture (`toolhive/registry.json` …), or undefined when it is not on this machine. */
export function readFixture(relativePath: string): unknown {
  const path = join(FIXTURES_DIR, relativePath);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : undefined;
}
