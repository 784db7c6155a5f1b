import { readFile } from 'node:fs/promises';
import { StorageError } from '@thv/registry-core';

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
