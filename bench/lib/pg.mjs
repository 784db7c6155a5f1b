/**
 * A scratch PostgreSQL database for the ingest benchmark: on `TEST_DATABASE_URL`, else
 * `postgres://postgres@127.0.0.1:5432/postgres`. Undefined when neither answers, so the PostgreSQL
 * cases are skipped rather than failed.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The first reachable admin URL, or undefined (with the reason). */
export async function findPostgres() {
  const candidates = [process.env.TEST_DATABASE_URL, LOCAL_URL].filter(Boolean);
  const reasons = [];
  for (const url of candidates) {
    try {
      await withClient(url, (client) => client.query('SELECT 1'));
      return { url };
    } catch (error) {
      reasons.push(`${new URL(url).host}: ${error.message}`);
    }
  }
  return { reason: reasons.join('; ') };
}

/**
 * Creates `thv_bench_<random>` and returns its `database:` config block (written next to the
 * config in `dir` when a password is needed) and a `drop()`.
 */
export async function createScratchDatabase(adminUrl, dir) {
  const name = `thv_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const parsed = new URL(adminUrl);
  const block = {
    host: parsed.hostname,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || 'postgres',
    database: name,
    sslMode: 'disable',
  };
  if (parsed.password !== '') {
    const passwordFile = join(dir, `${name}.password`);
    writeFileSync(passwordFile, decodeURIComponent(parsed.password), { mode: 0o600 });
    block.passwordFile = passwordFile;
  }
  return {
    name,
    block,
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)),
  };
}
