import fs from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import git, { type AuthCallback, type ServerRef } from 'isomorphic-git';
import { RegistryError, SourceError, type Logger } from '@thv/registry-core';
import { abortableHttp, type Transfer } from './abortable-http.js';
import { isAuthFailure, isNetworkFailure, isRemoteFailure } from './failures.js';
import { fewNames, refPhrase, shortSha, type GitRef } from './git-ref.js';
import { hasCommit, peelToCommit, readFileAt, type FileSnapshot, type ObjectStore } from './git-objects.js';
import type { GitRepository, Operation, ResolvedRef } from './repository.js';

/**
 * A cache holding more packs than this is cloned again from scratch: each fetch of a moved ref
 * adds a pack and isomorphic-git cannot repack, so lookups would slow down over time.
 */
export const MAX_CACHED_PACKS = 50;

/** `deepen` value that asks for the whole history (what `git fetch --unshallow` sends). */
const FULL_DEPTH = 2147483647;

/** How a remote repository is reached and cached. */
export interface RemoteRepositoryOptions {
  /** The URL without credentials. */
  url: string;
  ref: GitRef;
  /** The registry file inside the repository (normalised). */
  path: string;
  /** The bare git directory of the cache (created on demand). */
  gitdir: string;
  logger: Logger;
}

/**
 * A remote repository reached over git smart HTTP, with a bare clone on disk as a cache that
 * survives restarts. Refs are resolved with a ref listing (no pack); only a commit missing from
 * the cache is downloaded, with a shallow (depth 1) fetch of that ref. Callers must not run two
 * operations at once on the same instance.
 */
export class RemoteRepository implements GitRepository {
  readonly display: string;
  readonly remote = true;
  readonly #options: RemoteRepositoryOptions;

  constructor(options: RemoteRepositoryOptions) {
    this.#options = options;
    this.display = options.url;
  }

  async resolve(op: Operation): Promise<ResolvedRef> {
    const { ref } = this.#options;
    switch (ref.kind) {
      case 'commit':
        return { commit: ref.sha };
      case 'branch':
      case 'tag': {
        const fullRef = `refs/${ref.kind === 'branch' ? 'heads' : 'tags'}/${ref.name}`;
        const refs = await this.#listRefs(op, { prefix: fullRef, peelTags: ref.kind === 'tag' });
        const found = refs.find((candidate) => candidate.ref === fullRef);
        if (found === undefined) throw await this.#refNotFound(op);
        return { commit: found.peeled ?? found.oid, fullRef };
      }
      case 'default': {
        const refs = await this.#listRefs(op, { prefix: 'HEAD', symrefs: true });
        const head = refs.find((candidate) => candidate.ref === 'HEAD');
        if (head === undefined) throw new SourceError(`repository ${this.display} is empty (it has no default branch)`);
        return { commit: head.oid, fullRef: head.target ?? 'HEAD' };
      }
    }
  }

  async read(resolved: ResolvedRef, op: Operation, skipBlob?: string): Promise<FileSnapshot> {
    const attempt = async (): Promise<FileSnapshot> => {
      const store = this.#store(op);
      const commit = await this.#ensureCommit(resolved, store, op);
      return readFileAt(store, commit, this.#options.path, skipBlob);
    };
    await this.#prepareCache();
    try {
      return await attempt();
    } catch (err) {
      if (!isCacheFault(err) || op.signal.aborted) throw err;
      this.#options.logger.warn(
        { repository: this.display, err: (err as Error).message },
        'git cache is damaged; cloning the repository again',
      );
      await this.#resetCache();
      // A fresh object cache: the old one may hold what was read from the damaged packs.
      op.cache = {};
      return attempt();
    }
  }

  #store(op: Operation): ObjectStore {
    return { gitdir: this.#options.gitdir, cache: op.cache, display: this.display };
  }

  /** Makes sure the commit is in the cache, fetching it when it is not. Returns the commit to read. */
  async #ensureCommit(resolved: ResolvedRef, store: ObjectStore, op: Operation): Promise<string> {
    if (await hasCommit(store, resolved.commit)) {
      this.#options.logger.debug({ repository: this.display, commit: resolved.commit }, 'git commit already cached');
      return resolved.commit;
    }
    if (resolved.fullRef === undefined) return this.#fetchCommit(resolved.commit, store, op);
    const commit = await this.#fetchRef(resolved.fullRef, store, op);
    if (commit !== resolved.commit) {
      this.#options.logger.debug(
        { repository: this.display, ref: resolved.fullRef, listed: resolved.commit, fetched: commit },
        'git ref moved between listing and fetch; reading the fetched commit',
      );
    }
    return commit;
  }

  /** Shallow fetch of one ref; returns the commit it points at. */
  async #fetchRef(fullRef: string, store: ObjectStore, op: Operation): Promise<string> {
    let fetchHead: string | null;
    try {
      ({ fetchHead } = await this.#fetch(op, { ref: fullRef, singleBranch: true, depth: 1 }));
    } catch (err) {
      // The ref disappeared between the listing and the fetch.
      if ((err as { code?: string }).code === 'NotFoundError') throw await this.#refNotFound(op);
      throw err;
    }
    if (fetchHead === null) throw new SourceError(`repository ${this.display} is empty`);
    return peelToCommit(store, fetchHead);
  }

  /**
   * Fetches a pinned commit: a shallow fetch of that sha first (servers that allow wanting any
   * reachable commit answer it), then the whole history of every branch and tag.
   */
  async #fetchCommit(sha: string, store: ObjectStore, op: Operation): Promise<string> {
    try {
      await this.#fetch(op, { ref: sha, singleBranch: true, depth: 1 });
    } catch (err) {
      // What the full fetch would meet again is reported now.
      if (op.signal.aborted || isAuthFailure(err) || isNetworkFailure(err) || isHttpStatus(err, 404)) throw err;
      this.#options.logger.debug(
        { repository: this.display, commit: sha, err: (err as Error).message },
        'shallow fetch of the commit refused; fetching the full history',
      );
    }
    if (await hasCommit(store, sha)) return sha;
    await this.#fetch(op, { singleBranch: false, tags: true, depth: FULL_DEPTH });
    if (await hasCommit(store, sha)) return sha;
    throw new SourceError(`commit ${shortSha(sha)} not found in ${this.display} (full sha ${sha})`);
  }

  async #fetch(
    op: Operation,
    args: { ref?: string; singleBranch: boolean; depth: number; tags?: boolean },
  ): Promise<{ fetchHead: string | null }> {
    const transfer: Transfer = { bytes: 0 };
    let result: { fetchHead: string | null };
    try {
      result = await git.fetch({
        fs,
        http: abortableHttp(op.signal, transfer),
        gitdir: this.#options.gitdir,
        remote: 'origin',
        tags: false,
        cache: op.cache,
        ...this.#auth(op),
        ...args,
      });
    } catch (err) {
      // What broke the response (a reset) rather than what isomorphic-git made of the part it read.
      throw transfer.error ?? err;
    }
    // A ref advertisement cut short reads as a shorter one (an "empty repository"): report the cut.
    if (transfer.error !== undefined) throw transfer.error;
    this.#options.logger.debug(
      { repository: this.display, ref: args.ref ?? 'all', depth: args.depth, commit: result.fetchHead, bytes: transfer.bytes },
      'git fetch done',
    );
    return result;
  }

  async #listRefs(op: Operation, args: { prefix: string; symrefs?: boolean; peelTags?: boolean }): Promise<ServerRef[]> {
    const transfer: Transfer = { bytes: 0 };
    const refs = await git.listServerRefs({ http: abortableHttp(op.signal, transfer), url: this.display, ...this.#auth(op), ...args });
    // A listing cut short reads as a shorter list (a branch "not found"): report the cut instead.
    if (transfer.error !== undefined) throw transfer.error;
    const shown = refs.slice(0, 10).map((ref) => `${ref.ref} ${ref.peeled ?? ref.oid}`);
    this.#options.logger.debug({ repository: this.display, prefix: args.prefix, count: refs.length, refs: shown }, 'git refs listed');
    return refs;
  }

  #auth(op: Operation): { onAuth?: AuthCallback; onAuthFailure: AuthCallback } {
    const { credentials } = op;
    // A second 401 means the credentials were refused: stop instead of asking again.
    const onAuthFailure: AuthCallback = () => ({ cancel: true });
    if (credentials === undefined) return { onAuthFailure };
    return { onAuth: () => ({ username: credentials.username, password: credentials.password }), onAuthFailure };
  }

  /** The error for a branch or tag the remote does not have, listing a few it has. */
  async #refNotFound(op: Operation): Promise<SourceError> {
    const { ref } = this.#options;
    const message = `${refPhrase(ref)} not found in ${this.display}`;
    if (ref.kind !== 'branch' && ref.kind !== 'tag') return new SourceError(message);
    const noun = ref.kind === 'branch' ? 'branches' : 'tags';
    const prefix = ref.kind === 'branch' ? 'refs/heads/' : 'refs/tags/';
    try {
      const names = (await this.#listRefs(op, { prefix })).map((candidate) => candidate.ref.slice(prefix.length));
      const known = names.length === 0 ? `the repository has no ${noun}` : `${noun}: ${fewNames(names)}`;
      return new SourceError(`${message} (${known})`);
    } catch {
      return new SourceError(message);
    }
  }

  /**
   * Opens the cache, creating it when missing. A cache of another repository (the config
   * changed), one that is not a git directory, or one with too many packs is replaced.
   */
  async #prepareCache(): Promise<void> {
    const { gitdir, logger } = this.#options;
    const reason = await this.#cacheProblem();
    if (reason === undefined) return;
    if (reason === NO_CACHE) logger.debug({ repository: this.display, cache: gitdir }, 'creating the git cache');
    else logger.info({ repository: this.display, cache: gitdir, reason }, 'replacing the git cache');
    await this.#resetCache();
  }

  /** Why the cache cannot be used as it is, or undefined when it can. */
  async #cacheProblem(): Promise<string | undefined> {
    const { gitdir, url } = this.#options;
    if (!(await exists(gitdir))) return NO_CACHE;
    let cachedUrl: unknown;
    try {
      cachedUrl = await git.getConfig({ fs, gitdir, path: 'remote.origin.url' });
    } catch (err) {
      return `its config is unreadable (${(err as Error).message})`;
    }
    if (cachedUrl === undefined) return 'it is not a clone made by this source';
    if (cachedUrl !== url) return 'it holds another repository';
    if (!(await exists(join(gitdir, 'objects')))) return 'it has no object store';
    if ((await countPacks(gitdir)) > MAX_CACHED_PACKS) return `it holds more than ${MAX_CACHED_PACKS} packs`;
    return undefined;
  }

  /** Deletes the cache and creates an empty bare repository with the remote configured. */
  async #resetCache(): Promise<void> {
    const { gitdir, url } = this.#options;
    await rm(gitdir, { recursive: true, force: true });
    await mkdir(gitdir, { recursive: true });
    await git.init({ fs, gitdir, bare: true, defaultBranch: 'main' });
    await git.addRemote({ fs, gitdir, remote: 'origin', url, force: true });
  }
}

const NO_CACHE = 'no cache yet';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function countPacks(gitdir: string): Promise<number> {
  try {
    return (await readdir(join(gitdir, 'objects', 'pack'))).filter((name) => name.endsWith('.pack')).length;
  } catch {
    return 0;
  }
}

function isHttpStatus(err: unknown, status: number): boolean {
  return (err as { code?: string }).code === 'HttpError' && (err as { data?: { statusCode?: number } }).data?.statusCode === status;
}

/**
 * True for a failure that comes from the cache's own objects (missing, truncated or unreadable)
 * rather than from the remote, the network, an abort or the content (those are `SourceError`s).
 */
function isCacheFault(err: unknown): boolean {
  return !(err instanceof RegistryError) && !isRemoteFailure(err);
}
