/**
 * Read benchmark: autocannon against `thv-registry-api serve` over a stored catalog, and against
 * the baseline (bench/baseline.mjs) answering the same URLs with the same bytes, for each size.
 *
 *   node bench/read.bench.mjs [flags]     (see bench/run.mjs --help)
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fileSource, writeCatalog, writeConfig } from './lib/catalog.mjs';
import { cpuSecondsOf, memoryOf, startScript, stop, waitForLogLine } from './lib/child.mjs';
import { SEARCH_WORD } from './lib/generate.mjs';
import { measureIngest, round, serveFlags, startStored } from './lib/ingest.mjs';
import { loadTest } from './lib/loadtest.mjs';
import { START_WARMUP_S } from './lib/options.mjs';

const BASELINE = fileURLToPath(new URL('./baseline.mjs', import.meta.url));

/** Pages of the `list-walk` case (fewer when the list is shorter). */
const WALK_PAGES = 1000;

/** The read cases, in table order. `path` gets what discovery found. */
export const CASES = [
  { name: 'list-first', what: 'GET /v0.1/servers (first page, 30)', path: () => '/v0.1/servers' },
  { name: 'list-limit100-cursor', what: 'limit=100 from a cursor in the middle', path: (d) => `/v0.1/servers?limit=100&cursor=${d.middleCursor}` },
  { name: 'search', what: `search=${SEARCH_WORD} (first page)`, path: () => `/v0.1/servers?search=${SEARCH_WORD}` },
  { name: 'list-latest', what: 'version=latest (first page)', path: () => '/v0.1/servers?version=latest' },
  { name: 'get-latest', what: '/servers/{name}/versions/latest', path: (d) => `/v0.1/servers/${d.server}/versions/latest` },
  { name: 'versions', what: '/servers/{name}/versions', path: (d) => `/v0.1/servers/${d.server}/versions` },
  { name: 'not-modified', what: 'first page with If-None-Match → 304', path: () => '/v0.1/servers', conditional: true },
  { name: 'list-walk', what: `the first ${WALK_PAGES} pages of 30 in turn, more than the response cache holds`, walk: true },
];

/** Headers the baseline repeats (the rest are per response: date, length, connection). */
const COPIED_HEADERS = ['content-type', 'etag', 'cache-control', 'access-control-allow-origin', 'access-control-expose-headers'];

/**
 * Runs the read cases at every size. `stores` maps a size label to a config whose fs storage
 * already holds that catalog (from the ingest benchmark); other sizes are generated and synced first.
 */
export async function runReadBench(options, stores = {}, log = console.log) {
  const rows = [];
  const memory = {};
  const cases = CASES.filter((c) => options.cases === undefined || options.cases.includes(c.name));
  for (const size of options.sizes) {
    const dir = join(options.workdir, `read-${size.label}`);
    mkdirSync(dir, { recursive: true });
    let config = stores[size.label];
    // A store left in --workdir by an earlier run (with --keep) is used as it is.
    const kept = join(dir, 'store', 'config.yaml');
    if (config === undefined && existsSync(join(dir, 'store', 'data', 'registries'))) config = kept;
    if (config === undefined) {
      log(`# read ${size.label}: generating and syncing ${size.count} versions`);
      const catalog = writeCatalog(size, dir);
      config = writeConfig(join(dir, 'store'), { source: fileSource(catalog.file) });
      const ingest = await measureIngest({ config, expected: size.count, logFile: join(dir, 'ingest.log'), options, name: `ingest-${size.label}` });
      log(`  synced in ${ingest.seconds} s`);
    }
    const durationS = size.label === options.main.label ? options.duration : options.extraDuration;
    log(`# read ${size.label}: ${durationS} s per case, ${options.connections} connections`);
    // Several processes per side: their speed differs from one process to the next by up to a
    // fifth on a shared machine (placement, not code), so each side keeps its best round of all.
    const servers = [];
    const baselines = [];
    try {
      // Every copy is made before the first process starts: a running process writes its store.
      const configs = [config];
      for (let k = 1; k < options.processes; k++) configs.push(copyStore(config, join(dir, `store-${k + 1}`)));
      for (const [k, processConfig] of configs.entries()) {
        servers.push(await startStored({ config: processConfig, logFile: join(dir, `serve-${k + 1}.log`), options, name: `read-${size.label}-${k + 1}` }));
      }
      const server = servers[0];
      const discovered = await discover(server.url, size);
      const fixtures = [];
      for (const c of cases) fixtures.push(await fixtureOf(server.url, c, discovered));
      const fixturesFile = join(dir, 'baseline-fixtures.json');
      const served = fixtures.flatMap((fixture) => fixture.pages ?? [fixture]);
      writeFileSync(fixturesFile, JSON.stringify(served.map(({ url, status, headers, body }) => ({ url, status, headers, body: body.toString('base64') }))));
      for (let k = 0; k < options.processes; k++) {
        const proc = startScript({ script: BASELINE, args: [fixturesFile], logFile: join(dir, `baseline-${k + 1}.log`), nodeFlags: serveFlags(options, `baseline-${size.label}-${k + 1}`) });
        baselines.push(proc);
        const { port } = await waitForLogLine(proc, 'listening');
        proc.url = `http://127.0.0.1:${port}`;
      }
      const sides = { real: servers.map((s) => ({ url: s.url, pid: s.proc.pid })), base: baselines.map((b) => ({ url: b.url, pid: b.pid })) };
      const everyServer = [...sides.real, ...sides.base];

      const requestOf = (fixture, base) =>
        fixture.pages === undefined
          ? { url: `${base}${fixture.url}`, headers: fixture.requestHeaders, connections: options.connections, expectStatus: fixture.expect }
          : { url: base, paths: fixture.pages.map((page) => page.url), connections: options.connections, expectStatus: 200 };
      // A process just started is still settling (its start-up garbage, code not yet optimised):
      // whichever case came first would pay for it, so every server gets load on every URL first.
      for (const { url } of everyServer) {
        for (const fixture of fixtures) await loadTest({ ...requestOf(fixture, url), durationS: Math.max(START_WARMUP_S / fixtures.length, 0.5) });
      }
      for (const [i, c] of cases.entries()) {
        const fixture = fixtures[i];
        const request = (base) => requestOf(fixture, base);
        if (options.warmup > 0) {
          for (const { url } of everyServer) await loadTest({ ...request(url), durationS: options.warmup });
        }
        // Rounds alternate between the two sides (and between each side's processes), so a slower
        // stretch of a shared machine falls on both; each side keeps its best round.
        const rounds = { real: [], base: [] };
        for (let r = 0; r < options.rounds; r++) {
          for (const side of ['real', 'base']) {
            const { url, pid } = sides[side][r % sides[side].length];
            rounds[side].push(await measured(request(url), pid, durationS / options.rounds));
          }
        }
        const real = best(rounds.real);
        const base = best(rounds.base);
        const row = {
          size: size.label,
          case: c.name,
          what: c.what,
          url: fixture.url,
          status: fixture.expect,
          bytes: fixture.expect === 304 ? 0 : (fixture.bytes ?? fixture.body.length),
          ...(fixture.pages === undefined ? {} : { pages: fixture.pages.length }),
          real,
          baseline: base,
          ratio: round(real.rps / base.rps, 2),
          cpuRatio: round(base.cpuUsPerRequest / real.cpuUsPerRequest, 2),
        };
        rows.push(row);
        log(`  ${c.name.padEnd(22)} ${String(real.rps).padStart(6)} req/s p50 ${real.p50} p99 ${real.p99} ms | baseline ${String(base.rps).padStart(6)} req/s | ratio ${row.ratio} | CPU µs/req ${real.cpuUsPerRequest} vs ${base.cpuUsPerRequest}${real.unexpected + real.errors > 0 ? ` | ${real.unexpected} unexpected, ${real.errors} errors` : ''}`);
      }
      memory[size.label] = { steadyRssMiB: round(memoryOf(server.proc.pid).rssMiB), readyMs: server.readyMs };
      log(`  steady RSS after the read cases: ${memory[size.label].steadyRssMiB} MiB`);
    } finally {
      for (const proc of baselines) await stop(proc);
      for (const { proc } of servers) await stop(proc);
    }
  }
  return { rows, memory };
}

/** One measured round, with the server's CPU time per answer (barely moved by other work on the machine). */
async function measured(request, pid, durationS) {
  const cpuBefore = cpuSecondsOf(pid);
  const result = await loadTest({ ...request, durationS });
  return { ...result, cpuSeconds: cpuSecondsOf(pid) - cpuBefore };
}

/** The round with the most req/s, and its CPU per answer. */
function best(rounds) {
  const top = rounds.reduce((a, b) => (b.rps > a.rps ? b : a));
  const { cpuSeconds, ...result } = top;
  return {
    ...result,
    unexpected: rounds.reduce((sum, r) => sum + r.unexpected, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    cpuUsPerRequest: round((cpuSeconds * 1e6) / top.requests, 1),
    rounds: rounds.map((r) => r.rps),
  };
}

/**
 * A copy of the fs store behind `config` in `dir`, with a config pointing at it: each serve process
 * syncs its own store at start (two on one store would wait for each other's sync lease).
 */
function copyStore(config, dir) {
  const settings = JSON.parse(readFileSync(config, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  cpSync(settings.storage.path, join(dir, 'data'), { recursive: true });
  return writeConfig(dir, { source: settings.source });
}

/**
 * What the URLs need, read from the API itself: a cursor about halfway through the list (walking
 * it 100 at a time) and the name of a server in the middle, URL-encoded.
 */
async function discover(url, size) {
  let cursor;
  let seen = 0;
  for (;;) {
    const page = await getJson(`${url}/v0.1/servers?limit=100${cursor === undefined ? '' : `&cursor=${cursor}`}`);
    seen += page.metadata.count;
    cursor = page.metadata.nextCursor;
    if (cursor === undefined) throw new Error(`the list ended after ${seen} versions; expected ${size.count}`);
    if (seen >= size.count / 2) {
      return { middleCursor: encodeURIComponent(cursor), server: encodeURIComponent(page.servers.at(-1).server.name) };
    }
  }
}

/** The real response of a case: exact body and headers, for the baseline to repeat. */
async function fixtureOf(base, c, discovered) {
  if (c.walk) return walkFixture(base);
  const url = c.path(discovered);
  const response = await fetch(`${base}${url}`);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  const body = Buffer.from(await response.arrayBuffer());
  const headers = Object.fromEntries(COPIED_HEADERS.filter((h) => response.headers.has(h)).map((h) => [h, response.headers.get(h)]));
  if (!c.conditional) return { url, status: 200, expect: 200, headers, body, requestHeaders: {} };
  const etag = response.headers.get('etag');
  const check = await fetch(`${base}${url}`, { headers: { 'if-none-match': etag } });
  if (check.status !== 304) throw new Error(`${url} with If-None-Match answered ${check.status}, not 304`);
  return { url, status: 200, expect: 304, headers, body, requestHeaders: { 'if-none-match': etag } };
}

/**
 * The `list-walk` case: the first {@link WALK_PAGES} pages of the default size, each URL with the
 * body it answered; `url` and `bytes` (the average size) describe the walk in the table.
 */
async function walkFixture(base) {
  const pages = [];
  let cursor;
  do {
    const url = cursor === undefined ? '/v0.1/servers' : `/v0.1/servers?cursor=${encodeURIComponent(cursor)}`;
    const page = await fixtureOf(base, { path: () => url }, {});
    pages.push(page);
    cursor = JSON.parse(page.body.toString('utf8')).metadata.nextCursor;
  } while (cursor !== undefined && pages.length < WALK_PAGES);
  const averageBytes = Math.round(pages.reduce((sum, page) => sum + page.body.length, 0) / pages.length);
  return { url: `/v0.1/servers?cursor=… (${pages.length} pages)`, expect: 200, bytes: averageBytes, pages };
}

async function getJson(url) {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Not awaited: run.mjs imports this module again, which must finish evaluating first.
  import('./run.mjs').then(({ runFromCommandLine }) => runFromCommandLine({ only: 'read' }));
}
