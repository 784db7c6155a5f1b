import type { Credentials } from './credentials.js';
import type { FileSnapshot } from './git-objects.js';

/** What one fetch shares between its steps. */
export interface Operation {
  /** Aborted by the caller or by the fetch timeout. */
  signal: AbortSignal;
  /** isomorphic-git object cache for this fetch only. */
  cache: object;
  /** Credentials for this fetch, when auth is configured. */
  credentials?: Credentials;
}

/** The configured ref, resolved to the commit it names now. */
export interface ResolvedRef {
  commit: string;
  /** The full ref name on the remote (`refs/heads/main`), when the ref is not a commit. */
  fullRef?: string;
}

/** A repository the source reads from: a remote (through a local cache) or a local repository. */
export interface GitRepository {
  /** The repository as shown in messages and `describe()`: a URL without credentials or an absolute path. */
  readonly display: string;
  /** True for a repository reached over the network (through the cache). */
  readonly remote: boolean;
  /** Resolves the configured ref to a commit; cheap (a ref listing, no download). */
  resolve(op: Operation): Promise<ResolvedRef>;
  /**
   * Reads the registry file at the resolved commit, downloading what is missing. The commit of
   * the result may be newer than `ref.commit` when a branch moved in between. With `skipBlob`,
   * the bytes are not read when the file's blob is that one.
   */
  read(ref: ResolvedRef, op: Operation, skipBlob?: string): Promise<FileSnapshot>;
}
