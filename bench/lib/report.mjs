/** Tables (Markdown, for stdout and the README) and the targets of bench/README.md. */
import { availableParallelism, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { START_WARMUP_S } from './options.mjs';

/** Ratio to the baseline each read case must reach at the main size. */
export const RATIO_TARGETS = { 'list-first': 0.8, 'get-latest': 0.8, 'list-limit100-cursor': 0.7, search: 0.5 };
export const P99_TARGET_MS = 20;
export const INGEST_TARGET_S = { fs: 15, pg: 30 };
export const PEAK_RSS_TARGET_MIB = 500;
export const READY_TARGET_MS = 2000;
export const STEADY_RSS_TARGET_MIB = 300;

/** The machine a run measured: cores, CPU model, memory, node. */
export function machine() {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return { nproc: availableParallelism(), cpu, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
}

const mark = (ok) => (ok ? 'ok' : '**missed**');

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((h, i) => (i === 0 || h === 'case' ? '---' : '---:')).join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** Adds a `targets` list to the results: every target, the value measured and whether it was met. */
export function evaluate(results) {
  const targets = [];
  const main = results.options.main;
  for (const row of results.read?.rows ?? []) {
    if (row.size !== main) continue;
    const ratioTarget = RATIO_TARGETS[row.case];
    if (ratioTarget !== undefined) targets.push({ what: `${row.case} ratio ≥ ${ratioTarget}`, value: row.ratio, ok: row.ratio >= ratioTarget });
    targets.push({ what: `${row.case} p99 < ${P99_TARGET_MS} ms`, value: row.real.p99, ok: row.real.p99 < P99_TARGET_MS });
  }
  for (const row of results.sync?.ingest ?? []) {
    const limit = INGEST_TARGET_S[row.storage];
    targets.push({ what: `ingest ${row.source} → ${row.storage} < ${limit} s`, value: row.seconds, ok: row.seconds < limit });
    targets.push({ what: `ingest ${row.source} → ${row.storage} peak RSS < ${PEAK_RSS_TARGET_MIB} MiB`, value: row.peakRssMiB, ok: row.peakRssMiB < PEAK_RSS_TARGET_MIB });
  }
  if (results.sync?.restart !== undefined) {
    const { readyMs } = results.sync.restart;
    targets.push({ what: `ready after restart < ${READY_TARGET_MS} ms`, value: readyMs, ok: readyMs < READY_TARGET_MS });
  }
  const steady = results.read?.memory?.[main]?.steadyRssMiB;
  if (steady !== undefined) targets.push({ what: `steady RSS < ${STEADY_RSS_TARGET_MIB} MiB`, value: steady, ok: steady < STEADY_RSS_TARGET_MIB });
  return targets;
}

/** Every table of a run, as Markdown. */
export function render(results) {
  const parts = [];
  const m = results.machine;
  parts.push(`Machine: ${m.nproc} cores (${m.cpu}), ${m.memoryGiB} GiB, Node.js ${m.node}, ${m.platform}. ${results.date}.`);
  parts.push(
    `Read cases: ${results.options.connections} connections, ${results.options.duration} s per case at ${results.options.main} ` +
      `(${results.options.extraDuration} s at the other sizes, split into ${results.options.rounds} alternating rounds, ` +
      `taken in turn by ${results.options.processes ?? 1} processes per side, best round kept); ` +
      `each server first gets ${START_WARMUP_S} s of load spread over the cases' URLs, and each case ${results.options.warmup} s of warm-up; serve logs at ${results.options.logLevel}; latency in ms (autocannon, 1 ms resolution); ` +
      'CPU µs/req is the server process\'s user + system CPU time per answer in the best round.',
  );
  const read = results.read?.rows ?? [];
  if (read.length > 0) {
    parts.push(
      table(
        ['size', 'case', 'bytes', 'req/s', 'p50', 'p99', 'CPU µs/req', 'baseline req/s', 'p50', 'p99', 'CPU µs/req', 'ratio', 'target', 'CPU ratio'],
        read.map((r) => {
          const target = r.size === results.options.main ? RATIO_TARGETS[r.case] : undefined;
          const verdict = target === undefined ? '' : `≥ ${target} ${mark(r.ratio >= target)}`;
          const flags = r.real.unexpected + r.real.errors > 0 ? ` (${r.real.unexpected + r.real.errors} bad)` : '';
          return [
            r.size, r.case, r.bytes, `${r.real.rps}${flags}`, r.real.p50, r.real.p99, r.real.cpuUsPerRequest,
            r.baseline.rps, r.baseline.p50, r.baseline.p99, r.baseline.cpuUsPerRequest, r.ratio.toFixed(2), verdict, r.cpuRatio.toFixed(2),
          ];
        }),
      ),
    );
    const sizes = [...new Set(read.map((r) => r.size))];
    if (sizes.length > 1) {
      const cases = [...new Set(read.map((r) => r.case))];
      parts.push('Cost per request against catalog size (req/s, and ratio to the baseline):');
      parts.push(
        table(
          ['case', ...sizes],
          cases.map((c) => [c, ...sizes.map((s) => {
            const r = read.find((row) => row.case === c && row.size === s);
            return r === undefined ? '' : `${r.real.rps} (${r.ratio.toFixed(2)})`;
          })]),
        ),
      );
    }
  }
  const ingest = results.sync?.ingest ?? [];
  if (ingest.length > 0) {
    parts.push(`Ingest of ${results.sync.size} (${ingest[0].versions} versions) into an empty store, from process start to status Complete with every version served:`);
    parts.push(
      table(
        ['source → storage', 'seconds', 'target', 'peak RSS MiB', 'target'],
        ingest.map((r) => [
          `${r.source} → ${r.storage}`,
          r.seconds,
          `< ${INGEST_TARGET_S[r.storage]} ${mark(r.seconds < INGEST_TARGET_S[r.storage])}`,
          r.peakRssMiB,
          `< ${PEAK_RSS_TARGET_MIB} ${mark(r.peakRssMiB < PEAK_RSS_TARGET_MIB)}`,
        ]),
      ),
    );
    if (results.sync.pgSkipped !== undefined) parts.push(`PostgreSQL skipped: ${results.sync.pgSkipped}`);
  }
  const rows = [];
  if (results.sync?.restart !== undefined) {
    const { readyMs, peakRssMiB } = results.sync.restart;
    rows.push([`ready after restart (${results.sync.size} stored)`, `${readyMs} ms`, `< ${READY_TARGET_MS} ms ${mark(readyMs < READY_TARGET_MS)}`]);
    rows.push(['peak RSS of that start', `${peakRssMiB} MiB`, '']);
  }
  for (const [size, memory] of Object.entries(results.read?.memory ?? {})) {
    const main = size === results.options.main;
    rows.push([`steady RSS after the read cases, ${size}`, `${memory.steadyRssMiB} MiB`, main ? `< ${STEADY_RSS_TARGET_MIB} MiB ${mark(memory.steadyRssMiB < STEADY_RSS_TARGET_MIB)}` : '']);
  }
  if (rows.length > 0) parts.push(table(['start and memory', 'value', 'target'], rows));
  return parts.join('\n\n');
}
