import { get } from './http.js';
import type { StatusFile } from './fixtures.js';
import { pollUntil } from './poll.js';

/** One registry as `/v0.1/x/dev.toolhive/registries/{name}` reports it. */
export interface RegistryReport {
  name: string;
  type: string;
  source: string;
  serverCount: number;
  versionCount: number;
  status?: StatusFile;
  /** RFC 3339: when the server next syncs it. */
  nextAttempt?: string;
}

/** The registry's report from a running server. */
export async function registryReport(baseUrl: string, name: string): Promise<RegistryReport> {
  return (await get<RegistryReport>(`${baseUrl}/v0.1/x/dev.toolhive/registries/${encodeURIComponent(name)}`)).body;
}

/** Waits until the registry's report satisfies `done`, and returns it. */
export function waitForReport(
  baseUrl: string,
  name: string,
  what: string,
  done: (report: RegistryReport) => boolean,
  timeoutMs?: number,
): Promise<RegistryReport> {
  return pollUntil(
    what,
    async () => {
      const report = await registryReport(baseUrl, name);
      return done(report) ? report : undefined;
    },
    timeoutMs === undefined ? {} : { timeoutMs },
  );
}
