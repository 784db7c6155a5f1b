/**
 * The process-level safety net of `serve`: a bug that escapes every handler (here, in a source
 * plugin) is logged at fatal and ends in a clean shutdown with exit code 1, never a silent hang or
 * a half-alive process; a source that hangs is abandoned at `syncPolicy.timeout` and retried.
 */
import { join } from 'node:path';
import t from 'tap';
import { CLI_PACKAGE_DIR, LEVEL, ServeProcess } from './helpers/cli.js';
import { writeConfig } from './helpers/fixtures.js';
import { get } from './helpers/http.js';
import { waitForReport } from './helpers/registry-status.js';

const FAULTY_PLUGIN = join(CLI_PACKAGE_DIR, 'test', 'fixtures', 'faulty-source.mjs');

function faultyConfig(fault: string, syncPolicy = '{ interval: 1s }'): string {
  return [
    'registryName: faulty',
    'source:',
    '  type: faulty',
    `  plugin: ${JSON.stringify(FAULTY_PLUGIN)}`,
    `  faulty: { fault: ${fault} }`,
    `syncPolicy: ${syncPolicy}`,
    'storage: { path: ./data }',
    '',
  ].join('\n');
}

for (const [fault, message, error] of [
  ['reject', 'unhandled promise rejection; shutting down', 'plugin bug: a promise nobody awaited'],
  ['throw', 'uncaught exception; shutting down', 'plugin bug: thrown from a timer'],
] as const) {
  t.test(`${message.split(';')[0]}: logged at fatal with the error, clean shutdown, exit 1`, async (t) => {
    const dir = t.testdir();
    const serve = await ServeProcess.start(t, await writeConfig(dir, faultyConfig(fault)));
    const exit = await serve.exited;
    t.same(exit, { code: 1, signal: null }, 'exit code 1');
    const fatal = serve.logs.find((line) => line.level === LEVEL.fatal);
    t.match(fatal, { msg: message, err: { message: error } }, 'the fatal line names the error');
    t.match(serve.logs.at(-1), { msg: 'stopped after a crash' }, 'the shutdown ran to its end before the exit');
    t.equal(serve.stderr, '', 'nothing on stderr: no stack trace from Node itself');
  });
}

t.test('a source that hangs and ignores the abort is abandoned at syncPolicy.timeout; reads go on', async (t) => {
  const dir = t.testdir();
  const serve = await ServeProcess.start(t, await writeConfig(dir, faultyConfig('hang', '{ interval: 1s, timeout: 1s }')));
  const report = await waitForReport(
    serve.baseUrl,
    'faulty',
    'the hung sync to be abandoned and retried',
    (r) => (r.status?.consecutiveFailures ?? 0) >= 2 && r.nextAttempt !== undefined,
  );
  t.match(report.status, { phase: 'Failed', message: 'the sync did not finish within 1s; abandoned' });
  t.equal(report.versionCount, 1, 'the last good data is served');
  t.ok(Date.parse(report.nextAttempt ?? '') > Date.parse(report.status?.lastAttempt ?? ''), 'the next attempt is scheduled after the last');
  const list = await get<{ metadata: { count: number } }>(`${serve.baseUrl}/v0.1/servers`);
  t.equal(list.status, 200);
  t.equal(list.body.metadata.count, 1);
  const readiness = await get<{ status: string; degraded: { component: string; registry?: string; message: string }[] }>(`${serve.baseUrl}/readiness`);
  t.equal(readiness.status, 200, 'still ready: the last good catalog is served');
  t.match(readiness.body.degraded, [{ component: 'sync', registry: 'faulty', message: /did not finish within 1s/ }]);
  t.same(await serve.stop(), { code: 0, signal: null }, 'SIGTERM with a hung fetch still exits 0');
});
