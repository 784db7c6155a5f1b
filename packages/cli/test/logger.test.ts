import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { FLUSH_DELAY_MS } from '../src/log-destination.js';

const LOGGER_MODULE = fileURLToPath(new URL('../src/logger.ts', import.meta.url));
const REQUEST_LINE_MODULE = fileURLToPath(new URL('../src/request-line.ts', import.meta.url));

/**
 * Runs `body` in a fresh node process (with the test's TypeScript loader) after
 * `const logger = createLogger('info', 1)`, stdout into a file; returns the parsed lines.
 */
function logLines(t: Test, body: string): { lines: Record<string, unknown>[]; text: string; status: number | null } {
  const out = join(t.testdir(), 'out.log');
  const fd = openSync(out, 'w');
  const script = `import { createLogger } from ${JSON.stringify(LOGGER_MODULE)};\nconst logger = createLogger('info', 1);\n${body}`;
  const result = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  t.equal(result.stderr.toString(), '', 'nothing on stderr');
  const text = readFileSync(out, 'utf8');
  return {
    lines: text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
    text,
    status: result.status,
  };
}

t.test('every line is written, in order, when the process exits right after logging', async (t) => {
  const { lines, status } = logLines(t, `for (let i = 0; i < 500; i++) logger.info({ i }, 'line'); process.exit(3);`);
  t.equal(status, 3);
  t.equal(lines.length, 500);
  t.same(lines.map((line) => line.i), [...Array(500).keys()]);
});

t.test('lines are written on a quiet process too, and a line longer than a batch whole', async (t) => {
  const long = 'x'.repeat(40_000);
  const { lines } = logLines(
    t,
    `logger.info('first'); setTimeout(() => { logger.info({ long: ${JSON.stringify(long)} }, 'long'); logger.warn('é ✓ 𝄞'); }, 10);`,
  );
  t.same(lines.map((line) => line.msg), ['first', 'long', 'é ✓ 𝄞']);
  t.equal(lines[1]?.long, long);
});

t.test('secrets at the known paths are redacted', async (t) => {
  const { lines } = logLines(
    t,
    `logger.info({ password: 'p1', database: { password: 'p2', user: 'u' }, headers: { authorization: 'Bearer t' } }, 'secrets');`,
  );
  t.match(lines[0], { password: '[redacted]', database: { password: '[redacted]', user: 'u' }, headers: { authorization: '[redacted]' } });
  t.notMatch(JSON.stringify(lines), /p1|p2|Bearer/);
});

t.test('a running process writes its lines within the flush delay', async (t) => {
  // In this process: the logger writes to a file descriptor the test reads.
  const { pino } = await import('pino');
  const { batchedDestination } = await import('../src/log-destination.js');
  const out = join(t.testdir(), 'live.log');
  const fd = openSync(out, 'w');
  t.teardown(() => closeSync(fd));
  const logger = pino({}, batchedDestination(fd));
  logger.info('pending');
  t.equal(readFileSync(out, 'utf8'), '', 'not written at once');
  await sleep(FLUSH_DELAY_MS * 4);
  t.match(readFileSync(out, 'utf8'), /"msg":"pending"/);
  logger.info('flushed');
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  t.match(readFileSync(out, 'utf8'), /"msg":"flushed"/, 'logger.flush() writes what is pending');
});

t.test('the direct request line is the line pino writes for the same fields, minus the time', async (t) => {
  const { text } = logLines(
    t,
    `const { directRequestLine } = await import(${JSON.stringify(REQUEST_LINE_MODULE)});
const { logRequestLine } = await import('@thv/registry-core/host');
// As fastify wraps the logger it is given: a child with its serializers.
const log = logger.child({}, { serializers: {} });
for (const url of ['/v0.1/servers?search=a%20b', '/v0.1/servers/"quoted"\\\\back/versions', '/é/✓']) {
  const line = { reqId: url.length > 10 ? 'req-' + url.length : 'from "header"\\t\\ud800', method: 'GET', url, statusCode: 200, durationMs: 0.25 };
  directRequestLine(log, line);
  logRequestLine(log, line);
}
logger.level = 'warn';
directRequestLine(log, { reqId: 'quiet', method: 'GET', url: '/', statusCode: 200, durationMs: 1 });`,
  );
  const lines = text.trimEnd().split('\n').map((line) => line.replace(/"time":\d+/, '"time":0'));
  t.equal(lines.length, 6, 'nothing below the logger level');
  for (let i = 0; i < lines.length; i += 2) t.equal(lines[i], lines[i + 1]);
  t.match(JSON.parse(lines[2]!), { level: 30, reqId: String, url: /"quoted"\\back/, msg: 'request completed' });
});
