import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AbortedError, SourceError } from '@thv/registry-core';

/** One `*.json` file found in the directory. */
export interface ServerFile {
  /** Path below the directory, with `/` separators: the file's name in sorting and hashing. */
  readonly relative: string;
  readonly absolute: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Lists the `*.json` regular files of `root` (and, if `recursive`, of its subdirectories), sorted by
 * relative path so that the fingerprint does not depend on the order the file system returns.
 * Names starting with `.` are ignored (editor swap files, `.git`, and the `..data` folders of a
 * Kubernetes ConfigMap mount, whose files are reached through their symlinks). Symlinks to files
 * are followed; symlinks to directories are not (no loops).
 */
export async function listServerFiles(root: string, recursive: boolean, signal: AbortSignal): Promise<ServerFile[]> {
  let info;
  try {
    info = await stat(root);
  } catch (error) {
    throw fsError(error, `server directory ${root}`);
  }
  if (!info.isDirectory()) throw new SourceError(`server directory ${root} is not a directory`);
  const files: ServerFile[] = [];
  await walk(root, '', recursive, signal, files);
  return files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

async function walk(dir: string, prefix: string, recursive: boolean, signal: AbortSignal, out: ServerFile[]): Promise<void> {
  checkAborted(signal, dir);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw fsError(error, `server directory ${dir}`);
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const absolute = join(dir, entry.name);
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (recursive) await walk(absolute, relative, recursive, signal, out);
    } else if (entry.name.endsWith('.json') && (entry.isFile() || entry.isSymbolicLink())) {
      const info = await stat(absolute).catch(() => undefined); // gone meanwhile, or a dangling link
      if (info?.isFile() === true) out.push({ relative, absolute, size: info.size, mtimeMs: info.mtimeMs });
    }
  }
}

/**
 * A digest of the listing (names, sizes, modification times): when it equals the previous one,
 * nothing was added, removed or rewritten, so the files need not be read. A rewrite that keeps both
 * the size and the modification time is missed; a forced fetch (`allowUnchanged: false`) reads anyway.
 */
export function listingDigest(files: readonly ServerFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.relative}\0${file.size}\0${file.mtimeMs}\n`);
  return `sha256:${hash.digest('hex')}`;
}

/** Reads one listed file; a failure is a `SourceError` naming it. */
export async function readServerFile(file: ServerFile, signal: AbortSignal): Promise<Buffer> {
  try {
    return await readFile(file.absolute, { signal });
  } catch (error) {
    throw fsError(error, `server file ${file.absolute}`);
  }
}

/** Throws an `AbortedError` once the sync was aborted (shutdown, timeout). */
export function checkAborted(signal: AbortSignal, where: string): void {
  if (signal.aborted) throw new AbortedError(`reading ${where} was aborted`);
}

function fsError(error: unknown, what: string): Error {
  const cause = { cause: error };
  if (error instanceof Error && error.name === 'AbortError') return new AbortedError(`reading ${what} was aborted`, cause);
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new SourceError(`${what} not found`, cause);
    case 'ENOTDIR':
      return new SourceError(`${what} is not a directory`, cause);
    case 'EACCES':
    case 'EPERM':
      return new SourceError(`${what} is not readable (permission denied)`, cause);
    default:
      return new SourceError(`could not read ${what}: ${(error as Error).message}`, cause);
  }
}
