import { open, type FileHandle } from 'node:fs/promises';
import { AbortedError, RegistryError, SourceError } from '@thv/registry-core';
import type { DocumentReader } from './document-reader.js';
import { tooLargeError } from './too-large.js';

/** A reader of a registry file on disk at the absolute `path`. */
export function createPathReader(path: string, maxBytes: number): DocumentReader {
  return {
    origin: path,
    read: async (request) => ({ bytes: await readRegistryFile(path, maxBytes, request.signal) }),
  };
}

/** Reads a regular file of at most `maxBytes`; every failure is a `SourceError` naming the path. */
export async function readRegistryFile(path: string, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw fileError(err, path);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new SourceError(`registry file is a directory, not a file: ${path}`);
    // Devices and FIFOs could be read forever.
    if (!info.isFile()) throw new SourceError(`registry file is not a regular file: ${path}`);
    if (info.size > maxBytes) throw tooLargeError(`registry file ${path}`, maxBytes);
    const bytes = await handle.readFile({ signal });
    // The file may have grown between stat and read.
    if (bytes.length > maxBytes) throw tooLargeError(`registry file ${path}`, maxBytes);
    return bytes;
  } catch (err) {
    throw err instanceof RegistryError ? err : fileError(err, path);
  } finally {
    await handle.close();
  }
}

function fileError(err: unknown, path: string): RegistryError {
  const cause = { cause: err };
  if (err instanceof Error && err.name === 'AbortError') return new AbortedError(`reading ${path} was aborted`, cause);
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new SourceError(`registry file not found: ${path}`, cause);
    case 'EACCES':
    case 'EPERM':
      return new SourceError(`registry file not readable (permission denied): ${path}`, cause);
    case 'EISDIR':
      return new SourceError(`registry file is a directory, not a file: ${path}`, cause);
    default:
      return new SourceError(`could not read registry file ${path}: ${(err as Error).message}`, cause);
  }
}
