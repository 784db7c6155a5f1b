import {
  AbortedError,
  parseJsonDocument,
  raceAbort,
  RegistryError,
  SourceError,
  type JsonValue,
  type Logger,
  type SourceFetchRequest,
  type SourceFetchResult,
  type SourceHandler,
} from '@thv/registry-core';
import type { CredentialsProvider } from './credentials.js';
import { describeFailure } from './failures.js';
import { refLabel, shortSha, type GitRef } from './git-ref.js';
import type { GitRepository, Operation } from './repository.js';

/** What the git source needs besides the repository. */
export interface GitSourceOptions {
  ref: GitRef;
  /** The registry file inside the repository (normalised). */
  path: string;
  maxBytes: number;
  timeoutMs: number;
  /** The timeout as configured (`2m`), for messages. */
  timeoutText: string;
  /** Present when auth is configured (git.auth or credentials in the URL). */
  credentials?: CredentialsProvider;
  /** Where `credentials` come from, for messages. */
  credentialsFrom?: 'git.auth' | 'url';
  logger: Logger;
}

/** Source state kept between fetches. */
export interface GitSourceState {
  /** The repository and path read: a commit is only "unchanged" for the same file. */
  repository: string;
  path: string;
  /** The commit read. */
  commit: string;
  /** The registry file's blob at that commit (also the fingerprint). */
  blob: string;
}

/**
 * The `git` source: one registry file in a git repository.
 *
 * Change detection is cheap: the configured ref is resolved first (a ref listing, no download);
 * when it still names the commit read last time, the fetch answers `unchanged` without
 * downloading anything. Otherwise the commit is fetched into the on-disk cache, and when the
 * file's blob (content-addressed, so also the fingerprint) is the previous one, the answer is
 * `unchanged` without reading the blob. Only a new blob is read and parsed.
 *
 * Fetches of one instance run one at a time: isomorphic-git takes no abort signal, so an aborted
 * or timed-out fetch is abandoned by the caller at once, and the next fetch waits until its git
 * work has really stopped before touching the cache.
 */
export class GitSource implements SourceHandler {
  readonly #repository: GitRepository;
  readonly #options: GitSourceOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(repository: GitRepository, options: GitSourceOptions) {
    this.#repository = repository;
    this.#options = options;
  }

  /** `git <repository without credentials> <branch | tag | sha | HEAD> <path>`. */
  describe(): string {
    return `git ${this.#repository.display} ${refLabel(this.#options.ref)} ${this.#options.path}`;
  }

  async fetch(request: SourceFetchRequest): Promise<SourceFetchResult> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('git source timeout')), this.#options.timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout.signal]);
    const work = this.#queue.then(() => {
      signal.throwIfAborted();
      return this.#fetchNow(request, signal);
    });
    this.#queue = work.catch(() => {});
    try {
      return await raceAbort(work, signal);
    } catch (err) {
      throw this.#failure(err, request.signal, timeout.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for git work still running (after an abort) to stop. */
  async close(): Promise<void> {
    await this.#queue;
  }

  async #fetchNow(request: SourceFetchRequest, signal: AbortSignal): Promise<SourceFetchResult> {
    const { path, logger } = this.#options;
    const display = this.#repository.display;
    const op: Operation = { signal, cache: {} };
    if (this.#options.credentials !== undefined) op.credentials = await this.#options.credentials();

    const resolved = await this.#repository.resolve(op);
    logger.debug({ repository: display, ref: refLabel(this.#options.ref), commit: resolved.commit }, 'git ref resolved');
    const previous = stateFrom(request.previous?.state);
    if (
      request.allowUnchanged &&
      previous !== undefined &&
      previous.commit === resolved.commit &&
      previous.repository === display &&
      previous.path === path
    ) {
      logger.debug({ repository: display, commit: resolved.commit }, 'git ref has not moved');
      return { unchanged: true };
    }

    const skipBlob = request.allowUnchanged ? request.previous?.fingerprint : undefined;
    const file = await this.#repository.read(resolved, op, skipBlob);
    const state: GitSourceState = { repository: display, path, commit: file.commit, blob: file.blob };
    if (file.bytes === undefined) {
      logger.debug({ repository: display, commit: file.commit, blob: file.blob }, 'registry file unchanged at the new commit');
      return { unchanged: true, state: { ...state } };
    }
    const what = `registry file ${path} at commit ${shortSha(file.commit)} of ${display}`;
    if (file.bytes.byteLength > this.#options.maxBytes) {
      throw new SourceError(`${what} is larger than maxBytes (${this.#options.maxBytes} bytes)`);
    }
    const document = parseJsonDocument(file.bytes, what);
    logger.debug({ repository: display, commit: file.commit, blob: file.blob, bytes: file.bytes.byteLength }, 'registry file read');
    return { documents: [document], fingerprint: file.blob, state: { ...state } };
  }

  #failure(err: unknown, callerSignal: AbortSignal, timeoutSignal: AbortSignal): RegistryError {
    const display = this.#repository.display;
    if (callerSignal.aborted) return new AbortedError(`fetching ${display} was aborted`, { cause: err });
    if (timeoutSignal.aborted) {
      return new SourceError(`timed out after ${this.#options.timeoutText} fetching ${display}`, { cause: err });
    }
    if (err instanceof RegistryError) return err;
    const { credentialsFrom } = this.#options;
    const context = { display, remote: this.#repository.remote };
    return describeFailure(err, credentialsFrom === undefined ? context : { ...context, credentialsFrom });
  }
}

/** The previous state, when it is one this source wrote. */
function stateFrom(state: JsonValue | undefined): GitSourceState | undefined {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return undefined;
  const { repository, path, commit, blob } = state;
  if (typeof repository !== 'string' || typeof path !== 'string' || typeof commit !== 'string' || typeof blob !== 'string') {
    return undefined;
  }
  return { repository, path, commit, blob };
}
