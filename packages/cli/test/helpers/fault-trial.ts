/**
 * What the fault trials share: two replicas of `serve` on one PostgreSQL database, each reaching it
 * through its own {@link FaultProxy} (so a trial can stop "the database" for both, or cut one
 * replica off), a read loop against both, and the assertions every trial makes: the processes
 * are alive, reads never failed, nothing escaped as a fatal error, recovery came within its bound.
 */
import type { Degradation } from '@thv/registry-core/host';
import type { Test } from 'tap';
import { FaultProxy } from '../../../core/test/helpers/fault-proxy.js';
import { createTestDatabase, withAdmin, type TestDatabase } from '../../../storage-pg/test/helpers/test-database.js';
import { LEVEL, ServeProcess } from './cli.js';
import { copyExample, databaseBlock, fileSourceConfig, writeConfig } from './fixtures.js';
import { get } from './http.js';
import { pollUntil } from './poll.js';
import { startReadLoop, type ReadLoopResult } from './read-loop.js';
import { registryReport } from './registry-status.js';

/** How long "the database is stopped" in the trials. */
export const OUTAGE_MS = 30_000;
/** Every replica serves the new catalog within this long after the database is back. */
export const CONVERGE_MS = 5_000;
/** The registry every trial serves (examples/registry.json: 12 versions). */
export const REGISTRY = 'example';
/** Requests per second of the read loop, over both replicas. */
const READ_RATE = 200;

/** A replica and the proxy between it and the database. */
export interface Replica {
  serve: ServeProcess;
  proxy: FaultProxy;
}

/** What {@link startReplicas} set up. */
export interface ReplicaSet {
  db: TestDatabase;
  /** The registry file both replicas read (a file source). */
  registryFile: string;
  replicas: Replica[];
  /** Stops the read loop and returns what it saw. */
  stopReads(): Promise<ReadLoopResult>;
}

/** Options of {@link startReplicas}. */
export interface ReplicaOptions {
  /** Replicas to start, one after the other (default 2); the first becomes the lease holder. */
  count?: number;
  /** Extra lines of the `database:` block, e.g. `  statementTimeout: 2s`. */
  database?: string[];
}

/**
 * Starts `count` replicas on a fresh database, each through its own proxy, waits until every one
 * serves the example registry, then starts the read loop.
 */
export async function startReplicas(t: Test, options: ReplicaOptions = {}): Promise<ReplicaSet> {
  const db = await createTestDatabase(t);
  const dir = t.testdir();
  const registryFile = await copyExample(dir, 'registry.json');
  const replicas: Replica[] = [];
  for (let i = 0; i < (options.count ?? 2); i++) {
    const proxy = await FaultProxy.start({ host: db.host, port: db.port });
    t.teardown(() => proxy.close());
    const database = [databaseBlock(db.databaseConfig({ host: proxy.host, port: proxy.port })), ...(options.database ?? [])].join('\n');
    const config = await writeConfig(dir, fileSourceConfig({ interval: '2s', extra: `${database}\ndataDir: ./state-${i}` }), `replica-${i}.yaml`);
    const serve = await ServeProcess.start(t, config);
    await pollUntil(`replica ${i} serving the example`, async () => ((await registryReport(serve.baseUrl, REGISTRY)).versionCount === 12 ? true : undefined));
    replicas.push({ serve, proxy });
  }
  const reads = startReadLoop(
    replicas.flatMap(({ serve }) => [`${serve.baseUrl}/v0.1/servers?limit=5`, `${serve.baseUrl}/v0.1/servers/${encodeURIComponent('io.github.stacklok/acme-postgres')}/versions/latest`]),
    { ratePerSecond: READ_RATE },
  );
  // A trial that fails half-way must not leave the loop running (it would keep tap waiting).
  t.teardown(() => reads.stop());
  return { db, registryFile, replicas, stopReads: () => reads.stop() };
}

/** Versions a replica serves for the trial's registry. */
export async function servedVersions(serve: ServeProcess): Promise<number> {
  return (await registryReport(serve.baseUrl, REGISTRY)).versionCount;
}

/** Waits until every replica serves `versions` versions; returns how long that took. */
export async function waitForVersions(serves: readonly ServeProcess[], versions: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await pollUntil(
    `every replica serving ${versions} versions`,
    async () => ((await Promise.all(serves.map(servedVersions))).every((count) => count === versions) ? true : undefined),
    { timeoutMs, intervalMs: 100 },
  );
  return Date.now() - started;
}

/** What `/readiness` answered: its status code, `status` when ready, and `degraded`. */
export async function readiness(baseUrl: string): Promise<{ status: number; ready?: string; degraded: Degradation[] }> {
  const response = await get<{ status?: string; degraded?: Degradation[] }>(`${baseUrl}/readiness`);
  return { status: response.status, ...(response.body.status === undefined ? {} : { ready: response.body.status }), degraded: response.body.degraded ?? [] };
}

/** The top-level `degraded` of the status route. */
export async function routeDegraded(baseUrl: string): Promise<Degradation[]> {
  return (await get<{ degraded: Degradation[] }>(`${baseUrl}/v0.1/x/dev.toolhive/registries`)).body.degraded;
}

/**
 * `ask()`'s answer once every failing sync in its `degraded` list has its retry scheduled: a
 * sync that runs has no `nextAttempt`.
 */
export function betweenAttempts<T>(what: string, ask: () => Promise<T>, degradedOf: (answer: T) => Degradation[]): Promise<T> {
  return pollUntil(
    `${what} between two attempts`,
    async () => {
      const answer = await ask();
      return degradedOf(answer).every((d) => d.component !== 'sync' || d.nextAttempt !== undefined) ? answer : undefined;
    },
    { timeoutMs: 5_000, intervalMs: 20 },
  );
}

/** Rows stored for the registry, read directly (not through a proxy). */
export async function storedVersions(db: TestDatabase): Promise<number> {
  return withAdmin(db.url, async (client) => {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM registry_entries WHERE registry = $1', [REGISTRY]);
    return rows[0]?.n ?? 0;
  });
}

/**
 * `degraded` as `/readiness` and the status route list it, each asked between two attempts (when
 * every failing sync has its retry scheduled); asserts that `/readiness` stays 200 `ready`.
 */
export async function degradedListings(t: Test, baseUrl: string): Promise<(readonly [where: string, degraded: Degradation[]])[]> {
  const ready = await betweenAttempts('/readiness', () => readiness(baseUrl), (r) => r.degraded);
  t.equal(ready.status, 200, '/readiness stays 200');
  t.equal(ready.ready, 'ready', '/readiness says ready');
  const listed = await betweenAttempts('the status route', () => routeDegraded(baseUrl), (d) => d);
  return [
    ['/readiness', ready.degraded],
    ['the status route', listed],
  ];
}

/**
 * Waits until a serving process has a commit's transaction open on the database (seen directly
 * in `pg_stat_activity`, not through a proxy), polling every `intervalMs`.
 */
export function waitForCommitInFlight(db: TestDatabase, intervalMs = 20): Promise<true> {
  return pollUntil(
    'a commit transaction to be open',
    () =>
      withAdmin(db.url, async (client) => {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = $1 AND application_name = 'thv-registry' AND xact_start IS NOT NULL AND state <> 'idle'
             AND query ILIKE '%registr%'`,
          [db.database],
        );
        return (rows[0]?.n ?? 0) > 0 ? true : undefined;
      }),
    { timeoutMs: 30_000, intervalMs },
  );
}

/**
 * What every trial asserts at its end: each process is alive and logged nothing at fatal and no
 * unhandled error on stderr, and the read loop saw only 2xx answers.
 */
export function assertSurvived(t: Test, serves: readonly ServeProcess[], reads: ReadLoopResult): void {
  serves.forEach((serve, i) => {
    t.ok(serve.running, `replica ${i} is alive`);
    t.same(serve.logs.filter((line) => line.level >= LEVEL.fatal), [], `replica ${i} logged nothing at fatal`);
    t.notMatch(serve.stderr, /unhandled|uncaught/i, `replica ${i}: no unhandled error`);
  });
  t.ok(reads.total >= 100, `the read loop ran (${reads.total} requests)`);
  t.same(reads.failures.slice(0, 5), [], `reads never failed (${reads.failures.length} of ${reads.total} failed)`);
}

/** Stops every replica with SIGTERM and checks each exits 0. */
export async function stopAll(t: Test, serves: readonly ServeProcess[]): Promise<void> {
  const exits = await Promise.all(serves.map((serve) => serve.stop()));
  t.same(exits, serves.map(() => ({ code: 0, signal: null })), 'every replica stops cleanly');
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
