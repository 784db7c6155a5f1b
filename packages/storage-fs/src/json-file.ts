import { readFile } from 'node:fs/promises';
import { StorageError } from '@thv/registry-core';
import { writeFileAtomic } from './atomic-write.js';

/** Reads and parses a JSON file; undefined when it does not exist, a `StorageError` naming it otherwise. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StorageError(`could not read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StorageError(`corrupt ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Writes a JSON file atomically; a failure is a `StorageError` naming it. */
export async function writeJsonFile(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (err) {
    throw new StorageError(`could not write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
