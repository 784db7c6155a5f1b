import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { pollUntil } from './poll.js';

/** packages/cli */
export const CLI_PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI's entry point, as the `thv-registry-api` bin runs it. */
export const CLI_BIN = join(CLI_PACKAGE_DIR, 'bin', 'run.js');
/** The repository root. */
export const REPO_ROOT = resolve(CLI_PACKAGE_DIR, '..', '..');
/** The example configs and sample data (read only: tests copy what they need). */
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** How a finished CLI run ended and what it printed. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of a CLI run. */
export interface RunOptions {
  /** Working directory (default: the test's own). */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** The run is killed (and the test fails) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (default: stdin is /dev/null). */
  input?: string;
}

/** The environment of a child CLI: ours, without settings that would change what it logs. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (extra['THV_LOG_LEVEL'] === undefined) delete env['THV_LOG_LEVEL'];
  // Tests expect the default ./data next to their config unless they set it.
  if (extra['THV_DATA_DIR'] === undefined) delete env['THV_DATA_DIR'];
  // Plain, unwrapped help output whatever terminal runs the tests.
  env['NO_COLOR'] = '1';
  env['COLUMNS'] = '200';
  return env;
}

function spawnCli(args: readonly string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: childEnv(options.env),
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
}

/** Kills `child` if it is still running and waits until it has gone. */
async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

/** Runs the built CLI to completion (killed in teardown if a test gives up on it). */
export async function runCli(t: Test, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  t.teardown(() => killChild(child));
  if (options.input !== undefined) {
    // A child that exits before reading all of it must not fail the run with EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  }
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  }).finally(() => clearTimeout(timer));
  if (timedOut) throw new Error(`thv-registry-api ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { code, signal, stdout, stderr };
}

/** One JSON log line of `serve` (pino). */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's numeric levels. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** What `serve` was when it exited. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of a `serve` child. */
export interface ServeOptions extends RunOptions {
  /** Extra arguments after `serve --config <path>`; the default listens on 127.0.0.1, any free port. */
  args?: readonly string[];
}

/**
 * A running `thv-registry-api serve` child process: its parsed log lines, its real address (read
 * from the `serving` log line), and a way to stop it. It is killed in teardown if still running.
 */
export class ServeProcess {
  readonly logs: LogLine[] = [];
  /** stdout lines that were not JSON. */
  readonly otherStdout: string[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  readonly #child: ChildProcess;
  #baseUrl: string | undefined;
  #exit: Exit | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        this.#line(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise<Exit>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        if (pending !== '') this.#line(pending);
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
    // Observed by the callers that care; never an unhandled rejection.
    this.exited.catch(() => {});
  }

  /**
   * Starts `serve --config <configPath>` and waits until it logs `serving` (or exits first, which
   * rejects with what it printed).
   */
  static async start(t: Test, configPath: string, options: ServeOptions = {}): Promise<ServeProcess> {
    const args = ['serve', '--config', configPath, ...(options.args ?? ['--address', '127.0.0.1:0'])];
    const serve = new ServeProcess(spawnCli(args, options));
    t.teardown(() => killChild(serve.#child));
    const serving = await serve.waitForLog('the "serving" log line', (line) => line.msg === 'serving', options.timeoutMs ?? 30_000);
    const addresses = serving['address'] as { address: string; family: string; port: number }[];
    const ipv4 = addresses.find((address) => address.family === 'IPv4') ?? addresses[0];
    if (ipv4 === undefined) throw new Error(`serve logged no address: ${JSON.stringify(serving)}`);
    serve.#baseUrl = `http://${ipv4.family === 'IPv6' ? `[${ipv4.address}]` : ipv4.address}:${ipv4.port}`;
    return serve;
  }

  /** `http://127.0.0.1:<port>` */
  get baseUrl(): string {
    if (this.#baseUrl === undefined) throw new Error('serve is not serving yet');
    return this.#baseUrl;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.#exit === undefined;
  }

  /** The first log line (already printed or yet to come) that matches; rejects if serve exits first. */
  async waitForLog(what: string, match: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    return pollUntil(
      what,
      () => {
        const found = this.logs.find(match);
        if (found !== undefined) return found;
        if (this.#exit !== undefined) {
          throw new Error(`serve exited (${JSON.stringify(this.#exit)}) before ${what}\n${this.transcript()}`);
        }
        return undefined;
      },
      { timeoutMs, fatal: true },
    );
  }

  /** Sends `signal` and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`serve did not exit within ${timeoutMs} ms of ${signal}\n${this.transcript()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Everything it printed, for failure messages. */
  transcript(): string {
    return [
      ...this.logs.map((line) => JSON.stringify(line)),
      ...this.otherStdout,
      this.stderr === '' ? '' : `stderr: ${this.stderr}`,
    ].join('\n');
  }

  #line(text: string): void {
    if (text.trim() === '') return;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as LogLine).msg === 'string') {
        this.logs.push(parsed as LogLine);
        return;
      }
    } catch {
      // not JSON: kept below
    }
    this.otherStdout.push(text);
  }
}
