import { ConfigError, type ErrorDetail } from '../errors.js';

/** `registries[0].source.git.branch: must be string`, or the bare message for the whole file. */
export function formatErrorDetail(detail: ErrorDetail): string {
  return detail.path === '' ? detail.message : `${detail.path}: ${detail.message}`;
}

/**
 * A {@link ConfigError} whose message is a one-line summary naming the file and the first problem
 * (`invalid configuration in /etc/thv/config.yaml: server.address: … (+2 more)`) and whose
 * `errors` lists every problem.
 */
export function createConfigError(
  configPath: string,
  details: readonly ErrorDetail[],
  cause?: unknown,
): ConfigError {
  const [first] = details;
  const summary = first === undefined ? 'unknown problem' : formatErrorDetail(first);
  const more = details.length > 1 ? ` (+${details.length - 1} more)` : '';
  return new ConfigError(`invalid configuration in ${configPath}: ${summary}${more}`, {
    errors: details,
    cause,
  });
}
