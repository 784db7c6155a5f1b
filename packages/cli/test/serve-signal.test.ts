/**
 * SIGTERM while `serve` is still starting is not lost. Outside a container it would otherwise kill
 * the process mid-start; as PID 1 in a container without an init, the kernel drops a signal
 * nobody listens for, and the container would be killed only after its grace period (30 s in
 * Kubernetes). `serve` as PID 1 runs in a new PID namespace (`unshare`, root only); the bin's
 * fallback for PID 1 (pid1-signals) is checked in plain child processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import { CLI_BIN, CLI_PACKAGE_DIR, type LogLine } from './helpers/cli.js';
import { writeConfig } from './helpers/fixtures.js';
import { pollUntil } from './helpers/poll.js';

const SLOW_PLUGIN = join(CLI_PACKAGE_DIR, 'test', 'fixtures', 'slow-start-source.mjs');

const canUnshare =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['--fork', '--pid', 'true'], { stdio: 'ignore' }).status === 0;
const NEEDS_UNSHARE = canUnshare ? false : 'needs root and unshare(1) for a PID namespace';

interface Serve {
  /** The process to signal: serve itself (PID 1 of its namespace under unshare). */
  pid: number;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  stdout: () => string;
  logs: () => LogLine[];
}

/** Starts `serve` on `config`, as PID 1 of a new PID namespace when `asPid1`. */
async function startServe(t: Test, config: string, asPid1: boolean): Promise<Serve> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['THV_LOG_LEVEL'];
  delete env['THV_DATA_DIR'];
  const command = [process.execPath, CLI_BIN, 'serve', '--config', config, '--address', '127.0.0.1:0'];
  const [file, ...args] = asPid1 ? ['unshare', '--fork', '--pid', ...command] : command;
  const child: ChildProcess = spawn(file as string, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (code, signal) => resolve([code, signal])));
  // unshare forks serve: that child, not unshare, is PID 1 of the namespace.
  const pid = asPid1
    ? await pollUntil('the forked serve process', async () => {
        const children = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim();
        return children === '' ? undefined : Number(children.split(' ')[0]);
      })
    : (child.pid as number);
  t.teardown(() => {
    // SIGKILL reaches a namespace's init from outside even without a listener.
    for (const target of [pid, child.pid]) {
      try {
        if (target !== undefined) process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const logs = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  return { pid, exited, stdout: () => stdout, logs };
}

/** Resolves with how the process ended, or with 'still running' after `ms`. */
async function exitWithin(serve: Serve, ms: number): Promise<[number | null, NodeJS.Signals | null] | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  return Promise.race([serve.exited, timeout]).finally(() => clearTimeout(timer));
}

async function slowStartConfig(dir: string): Promise<{ config: string; marker: string }> {
  const marker = join(dir, 'starting');
  const config = await writeConfig(
    dir,
    [
      'registryName: slow',
      'source:',
      '  type: slowstart',
      `  plugin: ${JSON.stringify(SLOW_PLUGIN)}`,
      `  slowstart: { marker: ${JSON.stringify(marker)}, delayMs: 1500 }`,
      'storage: { path: ./data }',
      '',
    ].join('\n'),
  );
  return { config, marker };
}

for (const asPid1 of [false, true]) {
  t.test(
    `a SIGTERM received while starting stops serve once it serves, with exit 0${asPid1 ? ' (as PID 1)' : ''}`,
    { skip: asPid1 ? NEEDS_UNSHARE : false },
    async (t) => {
      const { config, marker } = await slowStartConfig(t.testdir());
      const serve = await startServe(t, config, asPid1);
      await pollUntil(
        'the source plugin to be created (serve is starting)',
        async () =>
          access(marker).then(
            () => true,
            () => undefined,
          ),
        { timeoutMs: 30_000 },
      );
      t.notMatch(serve.stdout(), /"msg":"serving"/, 'not serving yet when the signal is sent');
      process.kill(serve.pid, 'SIGTERM');

      t.same(await exitWithin(serve, 15_000), [0, null], 'exit 0, not killed by the signal');
      const order = serve
        .logs()
        .map((line) => line.msg)
        .filter((msg) => ['serving', 'shutting down', 'stopped'].includes(msg));
      t.same(order, ['serving', 'shutting down', 'stopped'], 'it finishes starting, then shuts down');
      t.match(
        serve.logs().find((line) => line.msg === 'shutting down'),
        { signal: 'SIGTERM' },
      );
    },
  );
}

/**
 * Runs `script` (ES module source) in a child node, sends it SIGTERM once it prints `ready`, and
 * reports how it ended and what it printed.
 */
async function signalScript(t: Test, script: string): Promise<{ exit: [number | null, NodeJS.Signals | null]; stdout: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (code, signal) => resolve([code, signal])));
  const ready = new Promise<void>((resolve) =>
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('ready\n')) resolve();
    }),
  );
  await Promise.race([ready, exited.then((exit) => Promise.reject(new Error(`the script exited ${JSON.stringify(exit)} before ready: ${stdout}`)))]);
  child.kill('SIGTERM');
  return { exit: await exited, stdout };
}

const PID1_MODULE = JSON.stringify(pathToFileURL(join(CLI_PACKAGE_DIR, 'dist', 'pid1-signals.js')).href);

t.test('as PID 1, SIGTERM ends a command that does not listen for it (exit 143)', async (t) => {
  const { exit, stdout } = await signalScript(
    t,
    `import { endOnStopSignalsAsPid1 } from ${PID1_MODULE};
     console.log(endOnStopSignalsAsPid1(1) ? 'installed' : 'not installed');
     setInterval(() => {}, 1000);
     console.log('ready');`,
  );
  t.match(stdout, /^installed\n/);
  t.same(exit, [143, null], '128 + 15, as the default action would');
});

t.test('as PID 1, a command that claims the signals handles them itself', async (t) => {
  const { exit, stdout } = await signalScript(
    t,
    `import { claimStopSignals, endOnStopSignalsAsPid1 } from ${PID1_MODULE};
     endOnStopSignalsAsPid1(1);
     process.once('SIGTERM', () => { console.log('handled'); setTimeout(() => process.exit(0), 50); });
     claimStopSignals();
     setInterval(() => {}, 1000);
     console.log('ready');`,
  );
  t.match(stdout, /handled/);
  t.same(exit, [0, null]);
});

t.test('not PID 1: nothing is installed and SIGTERM keeps its default action', async (t) => {
  const { exit, stdout } = await signalScript(
    t,
    `import { endOnStopSignalsAsPid1 } from ${PID1_MODULE};
     console.log(endOnStopSignalsAsPid1() ? 'installed' : 'not installed');
     setInterval(() => {}, 1000);
     console.log('ready');`,
  );
  t.match(stdout, /^not installed\n/);
  t.same(exit, [null, 'SIGTERM']);
});
