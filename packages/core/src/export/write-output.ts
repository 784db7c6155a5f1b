import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorKinds, RegistryError } from '../errors.js';
import type { StaticFile } from './static-export.js';

/** What an export writes: one file, or a directory tree. */
export type OutputKind = 'file' | 'directory';

/** Options of the writers. */
export interface WriteOptions {
  /** Replace an output that exists and is not empty. */
  force?: boolean;
}

/** Files written at once while building a tree. */
const PARALLEL_WRITES = 16;

/**
 * Why an export of `kind` cannot be written to `path`, or undefined when it can: a file export
 * over a directory, or (without `force`) over anything that exists and is not empty. An empty
 * file or an empty directory is replaced; a missing parent directory is created.
 */
export async function outputProblem(path: string, kind: OutputKind, options: WriteOptions = {}): Promise<string | undefined> {
  const existing = await statOf(path);
  if (existing === undefined) return undefined;
  if (kind === 'file' && existing.isDirectory()) return `${path} is a directory`;
  if (!options.force && !(await isEmpty(path, existing))) return `${path} already exists and is not empty`;
  return undefined;
}

/**
 * Writes `text` to `path` atomically: into a temporary file next to it, then renamed over it, so
 * a reader sees the old file or the new one, never half of one.
 */
export async function writeFileAtomically(path: string, text: string, options: WriteOptions = {}): Promise<void> {
  const target = resolve(path);
  await refuseExisting(target, 'file', options);
  await mkdir(dirname(target), { recursive: true });
  const temp = siblingName(target, 'tmp');
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes a tree of files as the directory `path`: built in a temporary directory next to it, then
 * renamed into place. With `force`, an existing `path` is first renamed aside and removed once the
 * new tree is in place (a reader may find no directory for that instant, never a mixed tree).
 * Nothing is left behind when writing fails.
 */
export async function writeTreeAtomically(path: string, files: readonly StaticFile[], options: WriteOptions = {}): Promise<void> {
  const target = resolve(path);
  await refuseExisting(target, 'directory', options);
  await mkdir(dirname(target), { recursive: true });
  const temp = siblingName(target, 'tmp');
  await mkdir(temp);
  try {
    await writeFiles(temp, files);
    await replaceWith(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

async function refuseExisting(target: string, kind: OutputKind, options: WriteOptions): Promise<void> {
  const problem = await outputProblem(target, kind, options);
  if (problem !== undefined) throw new RegistryError(ErrorKinds.badRequest, problem);
}

async function writeFiles(root: string, files: readonly StaticFile[]): Promise<void> {
  const made = new Set<string>();
  for (let start = 0; start < files.length; start += PARALLEL_WRITES) {
    const batch = files.slice(start, start + PARALLEL_WRITES).map((file) => join(root, ...file.path.split('/')));
    // Directories first, one at a time: parallel recursive mkdir of shared parents is safe but wasteful.
    for (const file of batch) {
      const dir = dirname(file);
      if (made.has(dir)) continue;
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    await Promise.all(batch.map((file, i) => writeFile(file, (files[start + i] as StaticFile).body, { flag: 'wx' })));
  }
}

/** Puts the directory `temp` at `target`, moving whatever is there aside first. */
async function replaceWith(temp: string, target: string): Promise<void> {
  const existing = await statOf(target);
  // rename(2) replaces a missing path or an empty directory in one step.
  if (existing === undefined || (existing.isDirectory() && (await isEmpty(target, existing)))) {
    await rename(temp, target);
    return;
  }
  const old = siblingName(target, 'old');
  await rename(target, old);
  try {
    await rename(temp, target);
  } catch (error) {
    await rename(old, target).catch(() => {});
    throw error;
  }
  await rm(old, { recursive: true, force: true });
}

/** A hidden, unique name in the same directory as `target`, so that a rename never crosses devices. */
function siblingName(target: string, purpose: 'tmp' | 'old'): string {
  return join(dirname(target), `.${basename(target)}.${purpose}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function isEmpty(path: string, stats: Stats): Promise<boolean> {
  if (stats.isDirectory()) return (await readdir(path)).length === 0;
  return stats.isFile() && stats.size === 0;
}
