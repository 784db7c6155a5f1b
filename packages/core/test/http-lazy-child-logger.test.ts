import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { LazyChildLogger } from '../src/http/lazy-child-logger.js';

function sinkLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

t.test('logs like the child it stands for, which is built only when something logs', async (t) => {
  const { logger, lines } = sinkLogger();
  let children = 0;
  const child = logger.child;
  // Counts the children made of this logger itself (its children inherit the method).
  logger.child = function (this: pino.Logger, ...args: Parameters<typeof child>) {
    if (this === logger) children += 1;
    return child.apply(this, args);
  } as typeof logger.child;
  const lazy = new LazyChildLogger(logger, { reqId: 'r1' }, {});
  t.equal(lazy.level, 'info');
  t.equal(children, 0, 'nothing built yet');
  lazy.debug('below the level');
  lazy.info({ a: 1 }, 'first');
  lazy.error(new Error('boom'), 'second');
  lazy.child({ step: 'x' }).warn('third');
  t.equal(children, 1, 'one child, built on first use');
  t.match(lines, [
    { reqId: 'r1', a: 1, msg: 'first', level: 30 },
    { reqId: 'r1', msg: 'second', level: 50, err: { message: 'boom' } },
    { reqId: 'r1', step: 'x', msg: 'third', level: 40 },
  ]);
});

t.test('its level follows the options, and can be changed', async (t) => {
  const { logger, lines } = sinkLogger();
  const lazy = new LazyChildLogger(logger, { reqId: 'r2' }, { level: 'warn' });
  t.equal(lazy.level, 'warn');
  lazy.level = 'debug';
  lazy.debug('now shown');
  t.equal(logger.level, 'info', 'the parent keeps its level');
  t.match(lines, [{ reqId: 'r2', msg: 'now shown', level: 20 }]);
});
