/**
 * The Docker Compose setup (docker-compose.yaml, deploy/postgres/init/, examples/config-docker.yaml
 * and examples/registry-sample.json), without Docker:
 *
 * - the compose file's structure and its agreement with the config, the init script and the
 *   sample (no maintained npm package ships the official Compose JSON schema, so the essentials
 *   are checked here);
 * - the init script run by psql against a scratch database as the postgres image would run it,
 *   then `serve` with the compose config (migrating as the migration user, serving as the limited
 *   user) and the routes the README shows.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import pg from 'pg';
import t from 'tap';
import type { Test } from 'tap';
import { parseDocument } from 'yaml';
import {
  acquirePasswordCheckingServer,
  acquireTestServer,
  createTestDatabase,
  dropRoleAtTeardown,
  uniqueName,
  type TestDatabase,
  type TestServer,
} from '../../storage-pg/test/helpers/test-database.js';
import { EXAMPLES_DIR, REPO_ROOT, runCli, ServeProcess } from './helpers/cli.js';
import { get, type ServerResponseBody } from './helpers/http.js';

const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yaml');
const INIT_DIR = join(REPO_ROOT, 'deploy', 'postgres', 'init');
const INIT_SCRIPT = join(INIT_DIR, '10-registry-users.sh');
const DOCKER_CONFIG = join(EXAMPLES_DIR, 'config-docker.yaml');
const SAMPLE = join(EXAMPLES_DIR, 'registry-sample.json');

/** The role migration 002 grants the data tables to. */
const SERVER_ROLE = 'toolhive_registry_server';
/** The sample server the README's curl commands ask for. */
const SAMPLE_SERVER = 'example/filesystem';

// --- the compose file ---------------------------------------------------------------------

type Dict = Record<string, unknown>;

/** Top-level keys of the Compose specification (plus x-* extensions). */
const TOP_LEVEL_KEYS = new Set(['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs', 'models']);
/**
 * Service attributes of the Compose specification (not all of them: the ones a file like this one
 * might use). A key outside the list is most likely a typo that compose would reject.
 */
const SERVICE_KEYS = new Set([
  'build', 'image', 'command', 'entrypoint', 'container_name', 'depends_on', 'environment', 'env_file',
  'ports', 'expose', 'volumes', 'tmpfs', 'healthcheck', 'restart', 'networks', 'user', 'working_dir',
  'labels', 'secrets', 'configs', 'read_only', 'init', 'stop_grace_period', 'stop_signal', 'security_opt',
  'cap_add', 'cap_drop', 'deploy', 'profiles', 'logging', 'platform', 'pull_policy', 'shm_size', 'ulimits',
  'extra_hosts', 'hostname', 'develop', 'mem_limit', 'cpus',
]);
/** `${NAME}`, `${NAME:-default}` and `${NAME-default}` (no nesting), or `$$`: what interpolation allows here. */
const INTERPOLATION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}$]*))?\}/g;
/** A compose duration: 1m30s, 5s, 500ms … */
const DURATION = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;

/** `${NAME:-default}` → { name, fallback } (undefined for anything else). */
function variable(value: unknown): { name: string; fallback: string } | undefined {
  const match = typeof value === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*):-([^}]*)\}$/.exec(value) : null;
  return match === null ? undefined : { name: match[1] as string, fallback: match[2] as string };
}

/** The value compose gives `value` with no variable set: each `${NAME:-default}` becomes its default. */
function interpolateDefaults(value: string): string {
  return value.replace(INTERPOLATION, (whole, _name: string, operator: string | undefined, fallback: string | undefined) =>
    whole === '$$' ? '$' : operator === undefined ? '' : (fallback ?? ''),
  );
}

/** A short-syntax volume `source:target[:mode]`. */
function volume(spec: unknown): { source: string; target: string; mode?: string } {
  if (typeof spec !== 'string') throw new Error(`a volume in the long syntax: ${JSON.stringify(spec)}`);
  const [source = '', target = '', mode] = spec.split(':');
  return { source, target, ...(mode === undefined ? {} : { mode }) };
}

function asDict(value: unknown, what: string): Dict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a mapping`);
  return value as Dict;
}

function readYaml(path: string): { value: Dict; errors: string[] } {
  const document = parseDocument(readFileSync(path, 'utf8'));
  return {
    value: asDict(document.toJS(), path),
    errors: [...document.errors, ...document.warnings].map((problem) => problem.message),
  };
}

t.test('docker-compose.yaml: a valid compose file that agrees with the config, the init script and the sample', async (t) => {
  const text = readFileSync(COMPOSE_FILE, 'utf8');
  const { value: compose, errors } = readYaml(COMPOSE_FILE);
  t.same(errors, [], 'YAML without errors or duplicate keys');

  const unknownTop = Object.keys(compose).filter((key) => !TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-'));
  t.same(unknownTop, [], 'only Compose top-level keys');
  const services = asDict(compose['services'], 'services');
  t.same(Object.keys(services).sort(), ['postgres', 'registry-api'], 'two services');
  for (const [name, service] of Object.entries(services)) {
    const unknown = Object.keys(asDict(service, name)).filter((key) => !SERVICE_KEYS.has(key));
    t.same(unknown, [], `${name}: only Compose service attributes`);
  }

  // Interpolation: only ${NAME}, ${NAME:-default} or $$; anything else compose rejects or mangles.
  const stray = text.replace(INTERPOLATION, '').split('\n').filter((line) => line.includes('$') && !line.trimStart().startsWith('#'));
  t.same(stray, [], 'every $ is an interpolation or an escaped $$');

  const postgres = asDict(services['postgres'], 'postgres');
  const api = asDict(services['registry-api'], 'registry-api');

  // postgres
  t.match(postgres['image'], /^(docker\.io\/library\/)?postgres:18\.\d+$/, 'postgres 18, pinned to a minor release');
  const pgEnv = asDict(postgres['environment'], 'postgres.environment');
  t.match(variable(pgEnv['POSTGRES_USER']), { name: 'POSTGRES_USER', fallback: 'registry' }, 'superuser registry by default');
  t.match(variable(pgEnv['POSTGRES_PASSWORD']), { name: 'POSTGRES_PASSWORD', fallback: /.+/ }, 'superuser password from the environment');
  const migratorPassword = variable(pgEnv['DB_MIGRATOR_PASSWORD']);
  const appPassword = variable(pgEnv['DB_APP_PASSWORD']);
  t.ok(migratorPassword !== undefined && migratorPassword.fallback !== '', 'DB_MIGRATOR_PASSWORD from the environment, with a demo default');
  t.ok(appPassword !== undefined && appPassword.fallback !== '', 'DB_APP_PASSWORD from the environment, with a demo default');
  const pgVolumes = (postgres['volumes'] as unknown[]).map(volume);
  const dataVolume = pgVolumes.find((mount) => mount.target === '/var/lib/postgresql');
  t.ok(dataVolume, 'the data volume on /var/lib/postgresql (where PostgreSQL 18 images keep PGDATA)');
  t.ok(dataVolume !== undefined && Object.hasOwn(asDict(compose['volumes'], 'volumes'), dataVolume.source), 'a named volume, declared');
  t.same(
    pgVolumes.find((mount) => mount.target === '/docker-entrypoint-initdb.d'),
    { source: './deploy/postgres/init', target: '/docker-entrypoint-initdb.d', mode: 'ro' },
    'the init scripts, read only',
  );
  t.doesNotThrow(() => accessSync(INIT_SCRIPT, constants.X_OK), 'the init script is executable (run, not sourced, by the image)');
  const healthcheck = asDict(postgres['healthcheck'], 'postgres.healthcheck');
  t.match(JSON.stringify(healthcheck['test']), /pg_isready -h 127\.0\.0\.1/, 'healthy once the server takes TCP connections (after the init scripts)');
  for (const key of ['interval', 'timeout']) t.match(healthcheck[key], DURATION, `healthcheck.${key} is a duration`);

  // registry-api
  t.equal(api['build'], '.', 'built from the Dockerfile at the root');
  t.match(api['image'], /^thv-registry-api:/, 'tagged as a local image');
  t.same(api['depends_on'], { postgres: { condition: 'service_healthy' } }, 'starts once postgres is healthy');
  t.same(api['ports'], ['8080:8080']);
  t.equal(api['restart'], 'unless-stopped');
  const apiEnv = asDict(api['environment'], 'registry-api.environment');
  t.same(variable(apiEnv['THV_DATABASE_PASSWORD']), appPassword, "the server's password is DB_APP_PASSWORD, with the same default");
  t.same(variable(apiEnv['THV_DATABASE_MIGRATION_PASSWORD']), migratorPassword, 'the migration password is DB_MIGRATOR_PASSWORD, with the same default');

  // Every bind mount exists here, and the config's registry file is mounted where it looks for it.
  const apiVolumes = (api['volumes'] as unknown[]).map(volume);
  for (const mount of [...pgVolumes, ...apiVolumes].filter((m) => m.source.startsWith('.'))) {
    t.ok(existsSync(join(REPO_ROOT, mount.source)), `${mount.source} exists`);
  }
  t.ok(apiVolumes.every((mount) => mount.mode === 'ro'), 'the config and the sample are mounted read only');
  const inContainer = new Map(apiVolumes.map((mount) => [mount.target, join(REPO_ROOT, mount.source)]));
  t.equal(inContainer.get('/config/config.yaml'), DOCKER_CONFIG, "examples/config-docker.yaml is the image's /config/config.yaml");
  const { value: config, errors: configErrors } = readYaml(DOCKER_CONFIG);
  t.same(configErrors, [], 'config-docker.yaml parses');
  const source = asDict(asDict(config['source'], 'source')['file'], 'source.file');
  const sourcePath = posix.resolve('/config', String(source['path']));
  t.equal(inContainer.get(sourcePath), SAMPLE, `the config reads ${sourcePath}, where examples/registry-sample.json is mounted`);

  // The config connects to this postgres service, as the users the init script creates.
  const database = asDict(config['database'], 'database');
  t.match(
    database,
    { host: 'postgres', port: 5432, database: interpolateDefaults(String(pgEnv['POSTGRES_DB'])), user: 'db_app', migrationUser: 'db_migrator', sslMode: 'disable' },
    'database: the postgres service, POSTGRES_DB, db_app serving, db_migrator migrating, no TLS inside the compose network',
  );
  t.notOk('passwordFile' in database || 'migrationPasswordFile' in database, 'passwords come from THV_DATABASE_PASSWORD and THV_DATABASE_MIGRATION_PASSWORD');
  const script = readFileSync(INIT_SCRIPT, 'utf8');
  t.match(script, '"${DB_MIGRATOR_USER:-db_migrator}"', 'the init script creates db_migrator by default');
  t.match(script, '"${DB_APP_USER:-db_app}"', 'the init script creates db_app by default');
});

t.test('examples/config-docker.yaml validates: both sample servers convert and pass the schema', async (t) => {
  const run = await runCli(t, ['validate', '--config', DOCKER_CONFIG, '--json']);
  t.equal(run.code, 0, run.stderr);
  t.match(JSON.parse(run.stdout), { valid: true, storage: 'pg', registries: [{ name: 'default', ok: true, servers: 2, versions: 2, skipped: [] }] });
});

// --- the init script, migrations and serve on a real PostgreSQL --------------------------------

/** Passwords with quotes and a space: the init script must hand them to PostgreSQL intact. */
const MIGRATOR_PASSWORD = `mig'rator "pw" 1`;
const APP_PASSWORD = `app 'pw' "2"`;

/** psql's major version, or undefined when there is no psql. */
function psqlMajor(): number | undefined {
  const result = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  const match = /(\d+)(\.\d+)?/.exec(result.stdout);
  return match === null ? undefined : Number(match[1]);
}

/** Runs the init script as the postgres image does (executed, with POSTGRES_USER and POSTGRES_DB), over TCP. */
async function runInitScript(db: TestDatabase, users: { migrator: string; app: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('PG')) delete env[key];
  Object.assign(env, {
    PGHOST: db.host,
    PGPORT: String(db.port),
    PGCONNECT_TIMEOUT: '5',
    ...(db.adminPassword === undefined ? {} : { PGPASSWORD: db.adminPassword }),
    POSTGRES_USER: db.adminUser,
    POSTGRES_DB: db.database,
    DB_MIGRATOR_USER: users.migrator,
    DB_APP_USER: users.app,
    DB_MIGRATOR_PASSWORD: MIGRATOR_PASSWORD,
    DB_APP_PASSWORD: APP_PASSWORD,
  });
  const child = spawn(INIT_SCRIPT, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  return { code, stdout, stderr };
}

/** A client of the test database as `user`. */
async function connectAs(t: Test, db: TestDatabase, user: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({ host: db.host, port: db.port, database: db.database, user, password, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => client.end().catch(() => undefined));
  return client;
}

/** The SQLSTATE and message a statement fails with (undefined when it succeeds). */
async function refusal(client: pg.Client, sql: string): Promise<{ code: string; message: string } | undefined> {
  try {
    await client.query(sql);
    return undefined;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { code: code ?? '', message };
  }
}

/**
 * What the database test runs against: a server that checks passwords when possible (so that the
 * passwords are tested too), else the test server; or why it is skipped.
 */
async function databaseSetup(): Promise<{ skip: string } | { skip: false; server: TestServer; checksPasswords: boolean }> {
  const major = psqlMajor();
  if (major === undefined) return { skip: 'psql is not installed: the init script needs it' };
  if (major < 15) return { skip: `psql ${major} is too old: the init script needs 15 or later` };
  try {
    const checking = await acquirePasswordCheckingServer();
    if (checking !== undefined) return { skip: false, server: checking, checksPasswords: true };
    return { skip: false, server: await acquireTestServer(), checksPasswords: false };
  } catch (error) {
    return { skip: `no PostgreSQL to test against (${(error as Error).message})` };
  }
}

const setup = await databaseSetup();

t.test('the init script, then serve with the compose config: migrates as db_migrator, serves as db_app', { skip: setup.skip }, async (t) => {
  if (setup.skip !== false) return;
  const { server, checksPasswords } = setup;
  if (!checksPasswords) t.comment('the test server trusts every login: the passwords are not checked');

  // Roles are cluster-wide: unique names, dropped after the database (teardowns run last first).
  // toolhive_registry_server stays, as every migrated test database leaves it: it is shared.
  const users = { migrator: uniqueName('thv_migrator'), app: uniqueName('thv_app') };
  dropRoleAtTeardown(t, server, users.migrator);
  dropRoleAtTeardown(t, server, users.app);
  const db = await createTestDatabase(t, server);
  const admin = await db.adminClient();

  const first = await runInitScript(db, users);
  t.equal(first.code, 0, `the init script succeeds\n${first.stderr}`);
  t.match(first.stdout, `${users.migrator} owns schema public`);
  const again = await runInitScript(db, users);
  t.equal(again.code, 0, `and again: it is idempotent\n${again.stderr}`);
  t.equal(again.stderr, '', 'quietly');
  t.notMatch(first.stdout + first.stderr + again.stdout + again.stderr, /mig'rator|app 'pw'/, 'no password in its output');

  const roles = await admin.query<{ rolname: string; rolcanlogin: boolean; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
    'SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname = $2',
    [[users.migrator, users.app], users.app],
  );
  const plain = { rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false };
  t.same(roles.rows, [{ rolname: users.migrator, ...plain }, { rolname: users.app, ...plain }], 'two login users without superuser, CREATEROLE or CREATEDB');
  const member = await admin.query<{ member: boolean }>("SELECT pg_has_role($1, $2, 'MEMBER') AS member", [users.app, SERVER_ROLE]);
  t.equal(member.rows[0]?.member, true, `${users.app} is a member of ${SERVER_ROLE}`);
  const schemaOwner = await admin.query<{ owner: string }>("SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = 'public'");
  t.equal(schemaOwner.rows[0]?.owner, users.migrator, `${users.migrator} owns the schema public`);

  // examples/config-docker.yaml, pointed at the scratch database and the unique user names.
  const dir = t.testdir();
  const document = parseDocument(readFileSync(DOCKER_CONFIG, 'utf8'));
  document.setIn(['database', 'host'], db.host);
  document.setIn(['database', 'port'], db.port);
  document.setIn(['database', 'database'], db.database);
  document.setIn(['database', 'user'], users.app);
  document.setIn(['database', 'migrationUser'], users.migrator);
  const config = join(dir, 'config.yaml');
  await writeFile(config, document.toString());
  await copyFile(SAMPLE, join(dir, 'registry-sample.json'));
  // As the compose file passes them.
  const env = { THV_DATABASE_PASSWORD: APP_PASSWORD, THV_DATABASE_MIGRATION_PASSWORD: MIGRATOR_PASSWORD };

  const serve = await ServeProcess.start(t, config, { env, args: ['--address', '127.0.0.1:0', '--no-wait-for-database'] });
  await serve.waitForLog('the migrations', (line) => line.msg === 'database schema migrated from version 0 to 2');
  await serve.waitForLog('the first commit', (line) => line.msg === 'sync committed');
  const owners = await admin.query<{ tableowner: string }>(
    "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('registries', 'registry_entries', 'thv_registry_schemaversion')",
  );
  t.same(owners.rows, [{ tableowner: users.migrator }], `serve migrated as ${users.migrator}: it owns the tables`);
  const connections = await admin.query<{ usename: string }>(
    "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'thv-registry%'",
    [db.database],
  );
  t.same(connections.rows, [{ usename: users.app }], `and serves as ${users.app}`);

  // The README's two curl commands.
  const list = await get<{ servers: ServerResponseBody[]; total: number }>(`${serve.baseUrl}/api/v0/servers`);
  t.equal(list.status, 200);
  t.same(list.body.servers.map(({ server }) => server.name).sort(), ['example/filesystem', 'io.github.stacklok/weather'], 'the sample servers');
  const one = await get<ServerResponseBody>(`${serve.baseUrl}/api/v0/servers/example%2Ffilesystem`);
  t.equal(one.status, 200, one.text);
  t.match(one.body.server, { name: SAMPLE_SERVER, version: '1.2.0', title: 'Filesystem' });

  // migrate up as db_migrator: nothing left to do.
  const up = await runCli(t, ['migrate', 'up', '--config', config, '--yes'], { env });
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, 'schema is up to date at 2');

  // db_app reads and writes data, and changes no schema.
  const app = await connectAs(t, db, users.app, APP_PASSWORD);
  const count = await app.query<{ n: number }>('SELECT count(*)::int AS n FROM registry_entries');
  t.equal(count.rows[0]?.n, 2, `${users.app} reads the entries`);
  t.match(await refusal(app, 'CREATE TABLE compose_probe (id int)'), { code: '42501', message: /permission denied for schema public/ }, 'CREATE TABLE is refused');
  t.match(await refusal(app, 'DROP TABLE registry_entries'), { code: '42501', message: /must be owner of table registry_entries/ }, 'DROP TABLE is refused');
  t.match(await refusal(app, 'ALTER TABLE registry_entries ADD COLUMN probe int'), { code: '42501', message: /must be owner/ }, 'ALTER TABLE is refused');
  t.match(await refusal(app, 'CREATE TEMP TABLE compose_probe (id int)'), { code: '42501', message: /permission denied to create temporary tables/ }, 'and so are temporary tables');
  t.match(await refusal(app, 'CREATE ROLE compose_probe'), { code: '42501' }, 'and roles');
  if (checksPasswords) {
    await t.rejects(connectAs(t, db, users.app, 'wrong-password'), /password authentication failed/, 'a wrong password is refused');
  }

  t.same(await serve.stop(), { code: 0, signal: null }, 'serve stops cleanly');
});
