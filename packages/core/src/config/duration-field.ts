import type { ErrorDetail } from '../errors.js';
import { parseDuration } from './duration.js';

/**
 * Parses a duration field of the config, recording a problem that names the path and the value
 * when it is not a duration or is shorter than `minimumMs`. Returns the milliseconds (0 when bad).
 */
export function readDurationField(
  text: string,
  path: string,
  minimum: { ms: number; text: string } | undefined,
  issues: ErrorDetail[],
): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    issues.push({ path, message: `${JSON.stringify(text)} is not a duration (use e.g. 90s, 30m, 1h30m)` });
    return 0;
  }
  if (minimum !== undefined && ms < minimum.ms) {
    issues.push({ path, message: `must be at least ${minimum.text} (got ${JSON.stringify(text)})` });
  }
  return ms;
}
