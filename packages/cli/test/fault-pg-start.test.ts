/**
 * Fault trial: the server starts while PostgreSQL is down, and the database comes up 20 s later.
 * It listens at once (alive, reads answer, not ready), retries without flooding the log, and is
 * ready with the stored catalog within seconds of the database's arrival. With
 * `--no-wait-for-database` it fails fast instead.
 */
import t, { type Test } from 'tap';
import { FaultProxy } from '../../core/test/helpers/fault-proxy.js';
import { createTestDatabase } from '../../storage-pg/test/helpers/test-database.js';
import { LEVEL, runCli, ServeProcess } from './helpers/cli.js';
import { assertSurvived, CONVERGE_MS, readiness, sleep } from './helpers/fault-trial.js';
import { copyExample, databaseBlock, fileSourceConfig, writeConfig } from './helpers/fixtures.js';
import { get } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';
import { startReadLoop } from './helpers/read-loop.js';

const DOWN_MS = 20_000;

/** A config whose database is down (its proxy refuses), and the proxy that brings it up. */
async function databaseDown(t: Test): Promise<{ config: string; proxy: FaultProxy }> {
  const db = await createTestDatabase(t);
  const proxy = await FaultProxy.start({ host: db.host, port: db.port });
  t.teardown(() => proxy.close());
  await proxy.refuse();
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  const config = await writeConfig(dir, fileSourceConfig({ extra: databaseBlock(db.databaseConfig({ host: proxy.host, port: proxy.port })) }));
  return { config, proxy };
}

t.test('started while PostgreSQL is down, which comes up 20 s later', async (t) => {
  const { config, proxy } = await databaseDown(t);

  const startedAt = Date.now();
  const serve = await ServeProcess.start(t, config);
  const reads = startReadLoop([`${serve.baseUrl}/v0.1/servers`, `${serve.baseUrl}/health`], { ratePerSecond: 100 });
  t.teardown(() => reads.stop());
  const waiting = await get<{ detail: string }>(`${serve.baseUrl}/readiness`);
  t.equal(waiting.status, 503, 'not ready before the first catalog');
  t.match(waiting.body.detail, /storage unavailable: cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ as .*: connection refused/);
  const empty = await get<{ servers: unknown[] }>(`${serve.baseUrl}/v0.1/servers`);
  t.same([empty.status, empty.body.servers], [200, []], 'reads answer, with an empty catalog');

  await sleep(DOWN_MS - (Date.now() - startedAt));
  const warnings = serve.logs.filter((line) => line.msg === 'storage unavailable; retrying' && line.level === LEVEL.warn);
  t.equal(warnings.length, 1, 'one warning for about ten attempts (the rest at debug): not a flood');
  await proxy.pass();
  const arrivedAt = Date.now();
  await pollUntil('ready with the catalog', async () => ((await readiness(serve.baseUrl)).status === 200 ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
  const readyIn = Date.now() - arrivedAt;
  t.ok(readyIn <= CONVERGE_MS, `ready ${readyIn} ms after the database came up (bound ${CONVERGE_MS} ms)`);
  await pollUntil('the catalog served', async () => ((await get<{ metadata: { count: number } }>(`${serve.baseUrl}/v0.1/servers?limit=100`)).body.metadata.count === 12 ? true : undefined));
  t.ok(serve.logs.some((line) => line.msg === 'storage opened' && line.level === LEVEL.info), 'the recovery is logged');

  assertSurvived(t, [serve], await reads.stop());
  t.same(await serve.stop(), { code: 0, signal: null });
});

t.test('--no-wait-for-database: exit 1 at once with the reason', async (t) => {
  const { config } = await databaseDown(t);
  for (const [args, env] of [
    [['--no-wait-for-database'], {}],
    [[], { THV_WAIT_FOR_DATABASE: 'false' }],
  ] as const) {
    const result = await runCli(t, ['serve', '--config', config, '--address', '127.0.0.1:0', ...args], { env, timeoutMs: 20_000 });
    t.equal(result.code, 1, `exit 1 (${JSON.stringify({ args, env })})`);
    t.match(result.stderr, /^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ as .*: connection refused$/m, 'the reason on stderr');
  }
});
