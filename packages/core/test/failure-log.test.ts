import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { FailureLog } from '../src/util/failure-log.js';

/** A debug-level logger whose lines are kept as parsed objects. */
function capture(): { logger: pino.Logger; lines: { level: number; msg: string; failures?: number; downMs?: number }[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

t.test('a failure retried every few seconds: warn once, then on a change or a reminder, info on recovery', async (t) => {
  const { logger, lines } = capture();
  const log = new FailureLog(logger, { failing: 'storage unavailable; retrying', recovered: 'storage opened' }, 60_000);
  log.succeeded();
  for (let i = 0; i < 5; i++) log.failed(new Error('connection refused'));
  log.failed(new Error('password authentication failed'));
  await flush();
  t.same(
    lines.map((line) => [line.level, line.msg, line.failures]),
    [
      [40, 'storage unavailable; retrying', 1],
      [20, 'storage unavailable; retrying', 2],
      [20, 'storage unavailable; retrying', 3],
      [20, 'storage unavailable; retrying', 4],
      [20, 'storage unavailable; retrying', 5],
      [40, 'storage unavailable; retrying', 6],
    ],
    'nothing for a success without failures; warn on the first failure and on a new message, debug for repeats',
  );
  t.equal(log.failures, 6);

  log.succeeded({ registry: 'x' });
  await flush();
  t.match(lines.at(-1), { level: 30, msg: 'storage opened', failures: 6, registry: 'x', downMs: Number });
  t.equal(log.failures, 0);
  log.failed(new Error('connection refused'));
  await flush();
  t.match(lines.at(-1), { level: 40, failures: 1 }, 'a new outage warns again');
});

t.test('a failure that repeats unchanged is warned again after the reminder interval', async (t) => {
  const { logger, lines } = capture();
  const log = new FailureLog(logger, { failing: 'sync cannot reach storage; retrying', recovered: 'back' }, 20);
  log.failed(new Error('same'));
  log.failed(new Error('same'));
  await new Promise((resolve) => setTimeout(resolve, 30));
  log.failed(new Error('same'));
  await flush();
  t.same(lines.map((line) => line.level), [40, 20, 40]);
});
