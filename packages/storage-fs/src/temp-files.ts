import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Tells this process's temp files from those of an earlier process that had the same pid. */
const PROCESS_TOKEN = randomBytes(6).toString('hex');
const TEMP_FILE = /^\..+\.(\d+)-([0-9a-f]+)-\d+\.tmp$/;
let sequence = 0;

/** A unique temp name for `target` in the same directory: `.<target>.<pid>-<token>-<n>.tmp`. */
export function tempFileName(target: string): string {
  sequence += 1;
  return `.${target}.${process.pid}-${PROCESS_TOKEN}-${sequence}.tmp`;
}

/**
 * Removes temp files in `dir` left by a process killed mid-write. A file is kept while its writer
 * may still be running: this process, or another live process (a `sync` run beside `serve`).
 * Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const match = TEMP_FILE.exec(name);
    if (match === null || !isStale(Number(match[1]), match[2] as string)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function isStale(pid: number, token: string): boolean {
  if (token === PROCESS_TOKEN) return false;
  // Same pid, other token: an earlier run (containers always start as pid 1).
  if (pid === process.pid) return true;
  return !isRunning(pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
