/** Measured runs of `serve`: an ingest from an empty store, and a restart over a stored catalog. */
import { join } from 'node:path';
import { memoryOf, pollUntil, servingUrl, startServe, stop } from './child.mjs';
import { REGISTRY } from './catalog.mjs';

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Node flags of a serve child: `--cpu-prof` into `<workdir>/profiles` when profiling, then `--node-flags`. */
export function serveFlags(options, name) {
  const profile = options.profile ? ['--cpu-prof', '--cpu-prof-dir', join(options.workdir, 'profiles'), '--cpu-prof-name', `${name}.cpuprofile`] : [];
  return [...profile, ...options.nodeFlags];
}

/**
 * Starts `serve` on a config whose storage is empty and measures the time from process start until
 * the status route says `Complete` with `expected` versions (committed and served), and the peak RSS
 * (VmHWM) at that moment; `healthyMs` is when `/health` first answered. A `Failed` phase ends the
 * run with its message.
 */
export async function measureIngest({ config, expected, logFile, options, name }) {
  const proc = await startServe({ config, logFile, nodeFlags: serveFlags(options, name), logLevel: options.logLevel });
  try {
    const url = await servingUrl(proc);
    const healthyMs = performance.now() - proc.startedAt;
    const doneAt = await pollUntil(
      `${url}/v0.1/x/dev.toolhive/registries/${REGISTRY}`,
      (response, body) => {
        if (response.status !== 200) return false;
        const report = JSON.parse(body);
        if (report.status?.phase === 'Failed') throw new Error(`sync failed: ${report.status.message}`);
        return report.status?.phase === 'Complete' && report.versionCount === expected;
      },
      { intervalMs: 20, proc, timeoutMs: 300_000 },
    );
    const memory = memoryOf(proc.pid);
    return {
      seconds: round((doneAt - proc.startedAt) / 1000, 2),
      healthyMs: round(healthyMs),
      peakRssMiB: round(memory.peakRssMiB),
    };
  } finally {
    await stop(proc);
  }
}

/**
 * Starts `serve` on a config whose storage already holds the catalog and measures the time from
 * process start to `/readiness` 200. Leaves the process running (and returns it) once the sync it
 * starts with has finished, so the read benchmark measures a settled server.
 */
export async function startStored({ config, logFile, options, name }) {
  const proc = await startServe({ config, logFile, nodeFlags: serveFlags(options, name), logLevel: options.logLevel });
  try {
    const url = await servingUrl(proc);
    const readyAt = await pollUntil(`${url}/readiness`, (response) => response.status === 200, { intervalMs: 5, proc });
    const readyMs = round(readyAt - proc.startedAt);
    // serve syncs at start; with the source unchanged that ends quickly, and reads are measured after.
    const startedIso = new Date(Date.now() - (performance.now() - proc.startedAt)).toISOString();
    await pollUntil(
      `${url}/v0.1/x/dev.toolhive/registries/${REGISTRY}`,
      (response, body) => {
        const status = response.status === 200 ? JSON.parse(body).status : undefined;
        return status?.phase === 'Complete' && status.lastAttempt !== undefined && status.lastAttempt >= startedIso.slice(0, 19);
      },
      { intervalMs: 20, proc },
    );
    return { proc, url, readyMs, peakRssAfterStartMiB: round(memoryOf(proc.pid).peakRssMiB) };
  } catch (error) {
    await stop(proc);
    throw error;
  }
}

export { round };
