/**
 * Runs the benchmarks: ingest (bench/sync.bench.mjs) at the main size, then the read cases
 * (bench/read.bench.mjs) at every size; prints the tables and writes bench/results.json.
 *
 *   npm run build && npm run bench -- [flags]      (--help for the flags)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { readOptions } from './lib/options.mjs';
import { evaluate, machine, render } from './lib/report.mjs';

export async function main(argv, defaults = {}) {
  const options = readOptions(argv, defaults);
  mkdirSync(options.workdir, { recursive: true });
  const { runSyncBench } = await import('./sync.bench.mjs');
  const { runReadBench } = await import('./read.bench.mjs');
  const log = (line) => process.stderr.write(`${line}\n`);
  log(`workdir ${options.workdir}`);
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    options: {
      duration: options.duration,
      extraDuration: options.extraDuration,
      warmup: options.warmup,
      connections: options.connections,
      rounds: options.rounds,
      processes: options.processes,
      sizes: options.sizes.map((size) => size.label),
      main: options.main.label,
      profile: options.profile,
      logLevel: options.logLevel,
    },
  };
  try {
    if (options.parts.includes('sync')) results.sync = await runSyncBench(options, log);
    if (options.parts.includes('read')) results.read = await runReadBench(options, results.sync?.stores ?? {}, log);
  } finally {
    if (!options.keep) rmSync(options.workdir, { recursive: true, force: true });
  }
  if (results.sync !== undefined) delete results.sync.stores;
  results.targets = evaluate(results);
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${render(results)}\n\n`);
  const missed = results.targets.filter((target) => !target.ok);
  process.stdout.write(
    missed.length === 0
      ? `All ${results.targets.length} targets met.\n`
      : `Targets missed: ${missed.map((t) => `${t.what} (${t.value})`).join('; ')}\n`,
  );
  log(`results written to ${options.out}`);
}

/** Runs {@link main} for a script started from the command line; exits 1 with the stack on failure. */
export function runFromCommandLine(defaults = {}) {
  main(process.argv.slice(2), defaults).catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) runFromCommandLine();
