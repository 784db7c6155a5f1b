/**
 * The processes under test: `thv-registry-api serve` (and the baseline) as child processes with
 * their output in a file, on a port chosen here, their CPU time and memory read from /proc.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../packages/cli/bin/run.js', import.meta.url));

/**
 * Starts `serve --config <config> --address 127.0.0.1:<free port> --log-level <logLevel>` with
 * stdout and stderr (the JSON log lines, one per request at info) written to `logFile`, and returns
 * it with its `url`. `nodeFlags` go to node (`--cpu-prof`). The port is chosen here rather than
 * read from the log, which says nothing below info.
 */
export async function startServe({ config, logFile, nodeFlags = [], logLevel = 'info' }) {
  const port = await freePort();
  const proc = startChild({
    args: [...nodeFlags, CLI, 'serve', '--config', config, '--address', `127.0.0.1:${port}`, '--log-level', logLevel],
    logFile,
  });
  return { ...proc, url: `http://127.0.0.1:${port}` };
}

/** A TCP port nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <script> ...args` the same way. */
export function startScript({ script, args = [], logFile, nodeFlags = [] }) {
  return startChild({ args: [...nodeFlags, script, ...args], logFile });
}

function startChild({ args, logFile }) {
  const fd = openSync(logFile, 'w');
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, pid: child.pid, logFile, startedAt, exited };
}

/**
 * Waits for the log line whose `msg` is `message` and returns it parsed. Fails when the process
 * exits first or after `timeoutMs`, quoting the end of the log.
 */
export async function waitForLogLine(proc, message, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  for (;;) {
    const text = readFileSync(proc.logFile, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.includes(message)) continue;
      try {
        const parsed = JSON.parse(line);
        if (parsed.msg === message) return parsed;
      } catch {
        // a partial line
      }
    }
    if (exited || performance.now() > deadline) {
      throw new Error(`${exited ? 'process exited' : 'timed out'} before logging "${message}":\n${text.slice(-2000)}`);
    }
    await sleep(5);
  }
}

/** Waits until a serve child answers `/health`; returns its base URL. */
export async function servingUrl(proc, timeoutMs = 60_000) {
  await pollUntil(`${proc.url}/health`, (response) => response.status === 200, { timeoutMs, intervalMs: 5, proc });
  return proc.url;
}

/** `VmRSS` and `VmHWM` (peak) of a process, in MiB, from /proc/<pid>/status. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match === null ? Number.NaN : Number(match[1]) / 1024;
  };
  return { rssMiB: field('VmRSS'), peakRssMiB: field('VmHWM') };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stop(proc, graceMs = 15_000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}

/**
 * Polls `url` until `accept(response, body)` is true; returns the time it first was. A request that
 * fails is retried; an error thrown by `accept` ends the wait.
 */
export async function pollUntil(url, accept, { timeoutMs = 120_000, intervalMs = 10, proc } = {}) {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (proc !== undefined && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`process exited while waiting for ${url}:\n${readFileSync(proc.logFile, 'utf8').slice(-2000)}`);
    }
    let answer;
    try {
      const response = await fetch(url);
      answer = { response, body: await response.text() };
    } catch (error) {
      last = String(error);
    }
    if (answer !== undefined) {
      last = `${answer.response.status} ${answer.body.slice(0, 300)}`;
      if (accept(answer.response, answer.body)) return performance.now();
    }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${url}; last answer: ${last}`);
    await sleep(intervalMs);
  }
}

let ticksPerSecond;

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid) {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
