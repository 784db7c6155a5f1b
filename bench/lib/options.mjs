/** Command-line flags shared by every bench entry point. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Seconds of load on each server of a read size, spread over the cases' URLs, before the first case. */
export const START_WARMUP_S = 4;

export const USAGE = `Usage: npm run bench -- [flags]   (node bench/run.mjs [flags])

  --duration S        seconds per read case at the main size (default 10)
  --extra-duration S  seconds per read case at the other sizes (default 5, at most --duration)
  --warmup S          unmeasured seconds before each read case (default 1)
  --connections N     concurrent connections (default 50)
  --rounds N          alternating rounds per read case, the duration split between them; the best counts (default 4)
  --processes N       serve processes and baseline processes per size, taking the rounds in turn (default 2)
  --sizes LIST        catalog sizes of the read table, servers x versions (default 1000x3,10000x3,30000x3)
  --main SIZE         the size of the ingest benchmark and the targets (default 10000x3)
  --only PART         read | sync (default both)
  --cases LIST        read cases to run (default all): ${'list-first,list-limit100-cursor,search,list-latest,get-latest,versions,not-modified,list-walk'}
  --log-level LEVEL   log level of the serve processes (default info: one line per request)
  --no-pg             skip PostgreSQL even when one is reachable
  --profile           run each serve and baseline child under node --cpu-prof (profiles in <workdir>/profiles)
  --node-flags=FLAGS  more node flags for each serve and baseline child, e.g. --node-flags=--trace-gc (output in their logs)
  --workdir DIR       where catalogs, storage and logs go (default: a new directory under ${tmpdir()})
  --keep              keep the workdir
  --out FILE          results file (default bench/results.json)
  --help`;

/** A size `NxK` as `{ servers, versions, label }`. */
export function parseSize(text) {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  if (match === null) throw new Error(`bad size "${text}": expected SERVERSxVERSIONS, e.g. 10000x3`);
  const servers = Number(match[1]);
  const versions = Number(match[2]);
  return { servers, versions, label: `${servers}x${versions}`, count: servers * versions };
}

export function readOptions(argv, defaults = {}) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      'extra-duration': { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      processes: { type: 'string' },
      sizes: { type: 'string' },
      main: { type: 'string' },
      only: { type: 'string' },
      cases: { type: 'string' },
      'no-pg': { type: 'boolean' },
      'log-level': { type: 'string' },
      profile: { type: 'boolean' },
      'node-flags': { type: 'string' },
      workdir: { type: 'string' },
      keep: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const number = (name, fallback) => {
    const value = values[name] === undefined ? fallback : Number(values[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const duration = number('duration', 10);
  const main = parseSize(values.main ?? '10000x3');
  const sizes = (values.sizes ?? '1000x3,10000x3,30000x3').split(',').map(parseSize);
  const only = values.only ?? defaults.only;
  if (only !== undefined && only !== 'read' && only !== 'sync') throw new Error('--only must be read or sync');
  return {
    duration,
    extraDuration: Math.min(number('extra-duration', 5), duration),
    warmup: values.warmup === '0' ? 0 : number('warmup', 1),
    connections: number('connections', 50),
    rounds: Math.round(number('rounds', 4)),
    processes: Math.round(number('processes', 2)),
    sizes,
    main: sizes.find((size) => size.label === main.label) ?? main,
    parts: only === undefined ? ['sync', 'read'] : [only],
    cases: values.cases?.split(',').map((name) => name.trim()),
    pg: !values['no-pg'],
    logLevel: values['log-level'] ?? 'info',
    profile: values.profile === true,
    nodeFlags: values['node-flags']?.split(' ').filter((flag) => flag !== '') ?? [],
    workdir: values.workdir ?? join(tmpdir(), `thv-bench-${process.pid}`),
    keep: values.keep === true || values.workdir !== undefined || values.profile === true,
    out: values.out ?? new URL('../results.json', import.meta.url).pathname,
  };
}
