/**
 * Ingest benchmark: the main size's catalog synced from empty through the file source and through
 * the api source (a local upstream), into fs storage and into PostgreSQL, each in a fresh `serve`
 * process; then a restart over the stored catalog (time to ready).
 *
 *   node bench/sync.bench.mjs [flags]     (see bench/run.mjs --help)
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apiSource, fileSource, writeCatalog, writeConfig } from './lib/catalog.mjs';
import { stop } from './lib/child.mjs';
import { measureIngest, startStored } from './lib/ingest.mjs';
import { createScratchDatabase, findPostgres } from './lib/pg.mjs';
import { startUpstream } from './lib/upstream.mjs';

/**
 * Runs the ingest cases at `options.main`. Returns the rows, the restart measurement and the config
 * of the fs store the file source filled (reused by the read benchmark).
 */
export async function runSyncBench(options, log = console.log) {
  const size = options.main;
  const dir = join(options.workdir, 'sync');
  log(`# ingest ${size.label}: generating ${size.count} versions`);
  const catalog = writeCatalog(size, dir);
  const upstream = await startUpstream(catalog.entries);
  const postgres = options.pg ? await findPostgres() : { reason: 'disabled by --no-pg' };
  const rows = [];
  const stores = {};
  try {
    const targets = [
      { storage: 'fs' },
      ...(postgres.url === undefined ? [] : [{ storage: 'pg' }]),
    ];
    for (const { storage } of targets) {
      for (const sourceType of ['file', 'api']) {
        const name = `ingest-${sourceType}-${storage}`;
        const caseDir = join(dir, name);
        const database = storage === 'pg' ? await createScratchDatabase(postgres.url, options.workdir) : undefined;
        try {
          const source = sourceType === 'file' ? fileSource(catalog.file) : apiSource(upstream.url);
          const config = writeConfig(caseDir, { source, database: database?.block });
          const before = upstream.requests();
          const result = await measureIngest({ config, expected: size.count, logFile: join(caseDir, 'serve.log'), options, name });
          rows.push({
            source: sourceType,
            storage,
            size: size.label,
            versions: size.count,
            ...result,
            ...(sourceType === 'api' ? { upstreamPages: upstream.requests() - before } : { fileBytes: catalog.bytes }),
          });
          log(`  ${sourceType} → ${storage}: ${result.seconds} s, peak RSS ${result.peakRssMiB} MiB`);
          if (storage === 'fs' && sourceType === 'file') stores[size.label] = config;
        } finally {
          await database?.drop();
        }
      }
    }
  } finally {
    await upstream.close();
  }
  if (postgres.url === undefined) log(`  PostgreSQL skipped: ${postgres.reason}`);

  const restart = await measureRestart(stores[size.label], join(dir, 'ingest-file-fs'), options);
  log(`  restart over the stored catalog: ready in ${restart.readyMs} ms`);
  return { size: size.label, ingest: rows, pgSkipped: postgres.url === undefined ? postgres.reason : undefined, restart, stores };
}

/** `serve` over a stored catalog: time to ready and the peak RSS once its first sync (unchanged) ended. */
async function measureRestart(config, dir, options) {
  const started = await startStored({ config, logFile: join(dir, 'restart.log'), options, name: 'restart' });
  await stop(started.proc);
  return { readyMs: started.readyMs, peakRssMiB: started.peakRssAfterStartMiB };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Not awaited: run.mjs imports this module again, which must finish evaluating first.
  import('./run.mjs').then(({ runFromCommandLine }) => runFromCommandLine({ only: 'sync' }));
}
