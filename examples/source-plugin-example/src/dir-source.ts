import { createHash } from 'node:crypto';
import {
  parseJsonDocument,
  SourceError,
  type JsonValue,
  type Logger,
  type ServerJSON,
  type SourceEntry,
  type SourceFetchRequest,
  type SourceFetchResult,
  type SourceHandler,
} from '@thv/registry-core';
import { checkAborted, listingDigest, listServerFiles, readServerFile, type ServerFile } from './scan.js';

/** How a {@link DirSource} reads its directory. */
export interface DirSourceOptions {
  /** Absolute path of the directory. */
  root: string;
  recursive: boolean;
  onInvalidFile: 'fail' | 'skip';
  logger: Logger;
}

/**
 * The `dir` source: every `*.json` file of a directory is one server.json (one server version).
 * It delivers them as entries and leaves validation to core, which skips an invalid server with
 * its name and the reason. The fingerprint is the sha256 of the sorted file names and contents.
 */
export class DirSource implements SourceHandler {
  readonly #options: DirSourceOptions;

  constructor(options: DirSourceOptions) {
    this.#options = options;
  }

  /** `dir <absolute path>`. */
  describe(): string {
    return `dir ${this.#options.root}`;
  }

  /**
   * Lists the files; when allowed and the listing (names, sizes, modification times) is the one
   * remembered in `previous.state`, answers `unchanged` without reading them. Otherwise reads
   * every file and answers `unchanged` only if the content hash is the previous fingerprint.
   */
  async fetch(request: SourceFetchRequest): Promise<SourceFetchResult> {
    const { root, recursive, logger } = this.#options;
    const started = performance.now();
    checkAborted(request.signal, root);
    const files = await listServerFiles(root, recursive, request.signal);
    const state = { listing: listingDigest(files) };
    const canSkip = request.allowUnchanged && request.previous?.fingerprint !== undefined;
    if (canSkip && previousListing(request.previous?.state) === state.listing) {
      logger.debug({ source: root, count: files.length }, 'server directory unchanged');
      return { unchanged: true, state };
    }
    const hash = createHash('sha256');
    const entries: SourceEntry[] = [];
    for (const file of files) {
      checkAborted(request.signal, root);
      const bytes = await readServerFile(file, request.signal);
      // Name and length first, so that moving bytes from one file to the next changes the hash.
      hash.update(`${file.relative}\0${bytes.length}\0`).update(bytes);
      const server = this.#serverOf(file, bytes);
      if (server !== undefined) entries.push({ server });
    }
    const fingerprint = `sha256:${hash.digest('hex')}`;
    logger.debug({ source: root, count: entries.length, durationMs: Math.round(performance.now() - started) }, 'server directory read');
    if (canSkip && fingerprint === request.previous?.fingerprint) return { unchanged: true, state };
    return { entries, fingerprint, state };
  }

  /** The file's server.json object, or undefined when it is skipped (`onInvalidFile: skip`). */
  #serverOf(file: ServerFile, bytes: Buffer): ServerJSON | undefined {
    const what = `server file ${file.absolute}`;
    try {
      const value = parseJsonDocument(bytes, what);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new SourceError(`${what} does not hold a server.json object (it holds ${kindOf(value)})`);
      }
      // Only the shape is checked here: core validates each entry and skips an invalid one with the reason.
      return value as ServerJSON;
    } catch (error) {
      if (this.#options.onInvalidFile === 'fail') throw error;
      this.#options.logger.warn({ source: this.#options.root, file: file.relative, reason: (error as Error).message }, 'server file skipped');
      return undefined;
    }
  }
}

function previousListing(state: JsonValue | undefined): string | undefined {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return undefined;
  return typeof state['listing'] === 'string' ? state['listing'] : undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
