import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { tempFileName } from './temp-files.js';

/** Errors from fsync on a directory where the platform does not support it (Windows). */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF']);

/** One file for {@link writeFilesAtomic}. */
export interface FileContent {
  path: string;
  data: string;
}

/** A failed {@link writeFilesAtomic}: the file it failed on; the system error is the `cause`. */
export class FileWriteError extends Error {
  readonly path: string;

  constructor(path: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'FileWriteError';
    this.path = path;
  }
}

/**
 * Replaces each file so that a crash leaves either its old or its new content, never a partial one:
 * write every file to a temp file in its directory and fsync it, then rename the temp files over
 * their targets in order, then fsync the directories so the renames are durable.
 *
 * All the data is on disk before the first rename, so a write that fails for want of space (or
 * quota, or permission) leaves every target as it was. Temp files are removed on failure. Errors
 * are {@link FileWriteError}s naming the file.
 */
export async function writeFilesAtomic(files: readonly FileContent[]): Promise<void> {
  const temps: string[] = [];
  let renamed = 0;
  try {
    for (const file of files) {
      const temp = join(dirname(file.path), tempFileName(basename(file.path)));
      temps.push(temp);
      await attempt(file.path, () => writeDurably(temp, file.data));
    }
    for (const [index, file] of files.entries()) {
      await attempt(file.path, () => rename(temps[index] as string, file.path));
      renamed += 1;
    }
  } catch (err) {
    await Promise.all(temps.slice(renamed).map(removeQuietly));
    throw err;
  }
  const directories = new Map(files.map((file) => [dirname(file.path), file.path]));
  for (const [dir, path] of directories) await attempt(path, () => syncDirectory(dir));
}

/** Creates `path` (it must not exist), writes `data` and fsyncs it. */
async function writeDurably(path: string, data: string): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (err) {
    // The write's error says what went wrong; one from close would only hide it.
    await handle.close().catch(() => undefined);
    throw err;
  }
  await handle.close();
}

async function attempt(path: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    throw new FileWriteError(path, err);
  }
}

/** Removes a temp file; a failure (a read-only file system) must not hide the write's error. */
async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => undefined);
}

/** Creates `dir` (and parents); makes each new entry durable in its parent. */
export async function ensureDirectory(dir: string): Promise<void> {
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') await mkdirFirstMissing(dir);
    throw err;
  }
  if (created === undefined) return;
  for (let child = dir; ; child = dirname(child)) {
    await syncDirectory(dirname(child));
    if (child === created) return;
  }
}

/**
 * Node's recursive mkdir reports ENOENT whatever kept it from creating a directory (a read-only
 * file system, a denied permission). Creating the first missing directory alone throws the real
 * error; should it succeed (a race), the caller's ENOENT stands.
 */
async function mkdirFirstMissing(dir: string): Promise<void> {
  let missing = dir;
  for (let parent = dirname(missing); parent !== missing && !(await exists(parent)); parent = dirname(parent)) {
    missing = parent;
  }
  await mkdir(missing);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** fsyncs a directory, where the platform allows it. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (!DIRECTORY_SYNC_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}
