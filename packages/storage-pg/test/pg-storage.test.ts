import t from 'tap';
import { StorageError, type StoredEntry } from '@thv/registry-core';
import { entry, failure, openStorage, pgStorage, status, waitFor } from './fixtures.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.js';

const T1 = '2025-01-01T00:00:00.000Z';
const T2 = '2025-01-01T00:05:00.000Z';

/** 30 entries over 10 servers, with every status, messages and isLatest values. */
function thirtyEntries(): StoredEntry[] {
  const entries: StoredEntry[] = [];
  for (let s = 0; s < 10; s += 1) {
    for (let v = 1; v <= 3; v += 1) {
      const name = `io.github.test/server-${String(s).padStart(2, '0')}`;
      const version = `${v}.0.0`;
      const status = v === 1 && s % 3 === 0 ? 'deleted' : v === 1 && s % 3 === 1 ? 'deprecated' : 'active';
      entries.push(
        entry(name, version, {
          status,
          ...(status === 'active' ? {} : { statusMessage: `${status} because of reasons ${s}` }),
          ...(v === 3 ? { isLatest: true } : s % 2 === 0 ? { isLatest: false } : {}),
          publishedAt: `2024-0${v}-01T10:00:00.123456Z`,
          updatedAt: `2024-0${v}-02T10:00:00.500Z`,
          statusChangedAt: `2024-0${v}-03T00:00:00.000Z`,
          contentHash: `h-${s}-${v}`,
        }),
      );
    }
  }
  return entries;
}

async function rowVersions(db: TestDatabase, registry: string): Promise<Map<string, string>> {
  const admin = await db.adminClient();
  const result = await admin.query<{ key: string; xmin: string }>(
    `SELECT name || '@' || version AS key, xmin::text AS xmin FROM registry_entries WHERE registry = $1`,
    [registry],
  );
  return new Map(result.rows.map((row) => [row.key, row.xmin]));
}

t.test('nothing stored: absent fields', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  t.same(await storage.load('default'), {});
  t.same(storage.health(), { healthy: true });
});

t.test('commit → load round trip; commit again: changed rows written, removed rows deleted, the rest untouched', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const entries = thirtyEntries();
  await storage.commit('default', entries, status(T1, { serverCount: 10, versionCount: 30 }));
  const loaded = await storage.load('default');
  t.same(loaded, { entries, status: status(T1, { serverCount: 10, versionCount: 30 }) });
  t.strictSame(loaded.entries?.[0], entries[0], 'absent optional fields stay absent; microseconds survive');
  t.same(
    loaded.entries?.map((e) => `${e.server.name}@${e.server.version}`),
    entries.map((e) => `${e.server.name}@${e.server.version}`),
    'byte order of name, version',
  );
  t.same(Object.keys(loaded.entries![0]!.server), ['$schema', 'name', 'description', 'version'], 'the document keeps its key order');

  const before = await rowVersions(db, 'default');
  t.equal(before.size, 30);
  const next = entries.filter((e) => e.server.name !== 'io.github.test/server-04' || e.server.version !== '2.0.0');
  const changedIndex = next.findIndex((e) => e.server.name === 'io.github.test/server-01' && e.server.version === '3.0.0');
  next[changedIndex] = {
    ...next[changedIndex]!,
    server: { ...next[changedIndex]!.server, description: 'changed' },
    contentHash: 'h-changed',
    updatedAt: T2,
  };
  const relisted = next.findIndex((e) => e.server.name === 'io.github.test/server-02' && e.server.version === '3.0.0');
  next[relisted] = { ...next[relisted]!, isLatest: false };
  const added = entry('io.github.test/server-99', '0.1.0');
  await storage.commit('default', [...next, added], status(T2));

  const after = await rowVersions(db, 'default');
  t.equal(after.size, 30);
  t.notOk(after.has('io.github.test/server-04@2.0.0'), 'removed row deleted');
  t.ok(after.has('io.github.test/server-99@0.1.0'), 'new row inserted');
  const rewritten = [...after].filter(([key, xmin]) => before.has(key) && before.get(key) !== xmin).map(([key]) => key);
  t.same(rewritten.sort(), ['io.github.test/server-01@3.0.0', 'io.github.test/server-02@3.0.0'], 'only the changed rows are rewritten');

  const reloaded = await storage.load('default');
  t.same(reloaded.status, status(T2));
  t.same(
    reloaded.entries?.find((e) => e.server.name === 'io.github.test/server-01' && e.server.version === '3.0.0'),
    next[changedIndex],
  );
  t.equal(reloaded.entries?.find((e) => e.server.name === 'io.github.test/server-02' && e.server.version === '3.0.0')?.isLatest, false);

  await storage.commit('default', [], status(T2, { serverCount: 0, versionCount: 0 }));
  t.same(await storage.load('default'), { entries: [], status: status(T2, { serverCount: 0, versionCount: 0 }) }, 'an empty snapshot is a snapshot');
});

t.test('timestamps come back in UTC; whole milliseconds as toISOString writes them', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const e = entry('io.github.test/time', '1.0.0', {
    publishedAt: '2025-03-01T12:00:00+02:00',
    updatedAt: '2025-03-01T10:00:00.000001Z',
    statusChangedAt: '2025-03-01T10:00:00Z',
  });
  await storage.commit('default', [e], status(T1));
  t.match((await storage.load('default')).entries?.[0], {
    publishedAt: '2025-03-01T10:00:00.000Z',
    updatedAt: '2025-03-01T10:00:00.000001Z',
    statusChangedAt: '2025-03-01T10:00:00.000Z',
  });
});

t.test('documents with quotes, backslashes, control characters and astral characters come back unchanged', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const tricky = entry('io.github.test/escapes', '1.0.0', { statusMessage: 'say "no" to C:\\temp', status: 'deprecated' });
  tricky.server = {
    ...tricky.server,
    description: 'He said "hi" \\ then {braces}, [brackets], NUL \u0000, tab \t, newline \n, emoji \u{1F600}',
    _meta: { 'key with "quotes"': ['a,b', '{"nested": "json text"}', null, 1.5e-7, true] },
  };
  await storage.commit('default', [tricky], status(T1));
  t.strictSame((await storage.load('default')).entries, [tricky]);
});

t.test('registries are separate', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  await storage.commit('a', [entry('io.github.test/a')], status(T1));
  await storage.commit('b', [entry('io.github.test/b'), entry('io.github.test/a')], status(T2));
  t.same((await storage.load('a')).entries?.map((e) => e.server.name), ['io.github.test/a']);
  t.same((await storage.load('b')).entries?.map((e) => e.server.name), ['io.github.test/a', 'io.github.test/b']);
  await storage.commit('a', [], status(T2));
  t.equal((await storage.load('b')).entries?.length, 2);
});

t.test('saveStatus: alone, then after a commit (entries kept)', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const failed = status(T1, { phase: 'Failed', message: 'registry file not found \u0000', consecutiveFailures: 1 });
  await storage.saveStatus('default', failed);
  t.same(await storage.load('default'), { status: { ...failed, message: 'registry file not found \uFFFD' } }, 'no entries before a commit');
  const entries = [entry('io.github.test/one')];
  await storage.commit('default', entries, status(T1));
  const syncing = status(T2, { phase: 'Syncing', sourceState: { cursor: 'abc', seen: [1, 2] } });
  await storage.saveStatus('default', syncing);
  t.same(await storage.load('default'), { entries, status: syncing });
});

t.test('duplicates in a snapshot: the last one wins', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const first = entry('io.github.test/dup');
  const second = { ...first, contentHash: 'second' };
  await storage.commit('default', [first, second], status(T1));
  t.same((await storage.load('default')).entries, [second]);
});

t.test('30,000 entries: one commit, load, and an unchanged re-commit that writes nothing', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const entries = Array.from({ length: 30_000 }, (_, i) =>
    entry(`io.github.bulk/server-${String(Math.floor(i / 3)).padStart(5, '0')}`, `1.0.${i % 3}`, {
      server: {
        name: `io.github.bulk/server-${String(Math.floor(i / 3)).padStart(5, '0')}`,
        version: `1.0.${i % 3}`,
        description: 'x'.repeat(200),
        packages: [{ registryType: 'oci', identifier: `ghcr.io/bulk/${i}:1`, transport: { type: 'stdio' } }],
      },
    }),
  );
  let started = performance.now();
  await storage.commit('bulk', entries, status(T1));
  const commitMs = performance.now() - started;
  started = performance.now();
  const loaded = await storage.load('bulk');
  const loadMs = performance.now() - started;
  t.equal(loaded.entries?.length, 30_000);
  t.same(loaded.entries?.[12345], entries[12345]);
  const before = await rowVersions(db, 'bulk');
  started = performance.now();
  await storage.commit('bulk', entries, status(T2));
  const recommitMs = performance.now() - started;
  const after = await rowVersions(db, 'bulk');
  t.ok([...after].every(([key, xmin]) => before.get(key) === xmin), 'no row rewritten');
  t.comment(`30,000 entries: commit ${commitMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms, unchanged re-commit ${recommitMs.toFixed(0)} ms`);
});

t.test('a commit that fails at its end leaves the previous snapshot and status intact', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const entries = thirtyEntries();
  await storage.commit('default', entries, status(T1));
  const broken = [
    ...Array.from({ length: 4999 }, (_, i) => entry(`io.github.test/new-${i}`)),
    entry('io.github.test/zzz', '1.0.0', { status: 'bogus' as never }),
  ];
  await t.rejects(storage.commit('default', broken, status(T2)), {
    name: 'StorageError',
    message:
      /^PostgreSQL refused committing registry "default": new row for relation "registry_entries" violates check constraint .* \(SQLSTATE 23514\)$/,
  });
  t.same(await storage.load('default'), { entries, status: status(T1) });
  t.same(storage.health(), { healthy: true }, 'a refused statement is not a health problem');
});

t.test('a commit whose connection is killed midway leaves the previous snapshot intact', async (t) => {
  const db = await createTestDatabase(t);
  const storage = await openStorage(t, db.databaseConfig());
  const entries = thirtyEntries();
  await storage.commit('default', entries, status(T1));

  // Hold the status row, so that the next commit blocks after writing its entries; then kill it.
  const blocker = await db.adminClient();
  await blocker.query('BEGIN');
  await blocker.query(`SELECT * FROM registry_sync_status WHERE registry = 'default' FOR UPDATE`);
  const replacement = Array.from({ length: 3000 }, (_, i) => entry(`io.github.test/replacement-${i}`));
  const committing = failure(storage.commit('default', replacement, status(T2)));
  const admin = await db.adminClient();
  let pid: number | undefined;
  await waitFor(async () => {
    const result = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'thv-registry' AND wait_event_type = 'Lock'`,
      [db.database],
    );
    pid = result.rows[0]?.pid;
    return pid !== undefined;
  }, 10_000, 'the commit to wait on the status row');
  await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  const error = await committing;
  t.type(error, StorageError);
  t.match(error.message, /^lost the connection to PostgreSQL at .* while committing registry "default": /);
  t.equal(storage.health().healthy, false, 'unhealthy after a lost connection');
  await blocker.query('ROLLBACK');

  t.same(await storage.load('default'), { entries, status: status(T1) }, 'the previous snapshot survives');
  t.same(storage.health(), { healthy: true }, 'healthy again after a statement succeeded');
});

t.test('operations before open fail clearly', async (t) => {
  const db = await createTestDatabase(t);
  const storage = pgStorage(t, db.databaseConfig());
  await t.rejects(storage.load('default'), { name: 'StorageError', message: 'PostgreSQL storage is not open (loading registry "default")' });
});

t.test('open is retried after a failure; close is safe without open and twice', async (t) => {
  const db = await createTestDatabase(t);
  const unopened = pgStorage(t, db.databaseConfig());
  await unopened.close();
  const storage = pgStorage(t, db.databaseConfig({ database: 'no_such_database_here' }));
  await t.rejects(storage.open(), {
    name: 'StorageUnavailableError',
    message: `cannot connect to PostgreSQL at ${db.host}:${db.port} as ${db.adminUser}: database "no_such_database_here" does not exist`,
  });
  const good = pgStorage(t, db.databaseConfig());
  await Promise.all([good.open(), good.open()]);
  await good.close();
  await good.close();
});
