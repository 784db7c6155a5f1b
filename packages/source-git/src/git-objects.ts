import fs from 'node:fs';
import git, { type TreeEntry } from 'isomorphic-git';
import { SourceError } from '@thv/registry-core';
import { shortSha } from './git-ref.js';

/** The registry file as found at one commit. */
export interface FileSnapshot {
  /** The commit read. */
  commit: string;
  /** Object id of the file's blob: equal ids mean equal content. */
  blob: string;
  /** The file's bytes; absent when the caller already had this blob. */
  bytes?: Uint8Array;
}

/** Where to read objects from and what to say in messages. */
export interface ObjectStore {
  /** The git directory (a bare repository or a `.git` directory). */
  gitdir: string;
  /** isomorphic-git object cache, shared by the reads of one fetch. */
  cache: object;
  /** The repository as shown in messages. */
  display: string;
}

/** True when the commit object is in the store; any other read failure is thrown. */
export async function hasCommit(store: ObjectStore, oid: string): Promise<boolean> {
  try {
    await git.readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'NotFoundError') return false;
    throw err;
  }
}

/** The commit an object names: itself for a commit, the tagged commit for an annotated tag. */
export async function peelToCommit(store: ObjectStore, oid: string): Promise<string> {
  const { oid: commit } = await git.readCommit({ fs, gitdir: store.gitdir, oid, cache: store.cache });
  return commit;
}

/**
 * Finds `path` in the tree of `commit` and reads its blob, unless the blob is `skipBlob` (the
 * caller already has that content). A path that is absent, a directory, a submodule or a
 * symbolic link is a `SourceError`; a failure to read an object (a missing or damaged object) is
 * thrown as isomorphic-git raised it.
 */
export async function readFileAt(store: ObjectStore, commit: string, path: string, skipBlob?: string): Promise<FileSnapshot> {
  const where = `at commit ${shortSha(commit)} of ${store.display}`;
  const directories = path.split('/');
  const name = directories.pop() as string;
  let treeOid = commit;
  for (const [index, segment] of directories.entries()) {
    const entry = await treeEntry(store, treeOid, segment);
    if (entry === undefined) throw new SourceError(`${path} not found ${where}`);
    if (entry.type !== 'tree') {
      const prefix = directories.slice(0, index + 1).join('/');
      throw new SourceError(`${path} not found ${where} (${prefix} is not a directory)`);
    }
    treeOid = entry.oid;
  }
  const entry = await treeEntry(store, treeOid, name);
  if (entry === undefined) throw new SourceError(`${path} not found ${where}`);
  if (entry.type === 'tree') throw new SourceError(`${path} is a directory, not a file, ${where}`);
  if (entry.type === 'commit') throw new SourceError(`${path} is a submodule, not a file, ${where}`);
  if (entry.mode === '120000') throw new SourceError(`${path} is a symbolic link, which is not followed, ${where}`);
  if (entry.oid === skipBlob) return { commit, blob: entry.oid };
  const { blob } = await git.readBlob({ fs, gitdir: store.gitdir, oid: entry.oid, cache: store.cache });
  return { commit, blob: entry.oid, bytes: blob };
}

/** One entry of a tree (commits are peeled to their tree), or undefined when absent. */
async function treeEntry(store: ObjectStore, oid: string, name: string): Promise<TreeEntry | undefined> {
  const { tree } = await git.readTree({ fs, gitdir: store.gitdir, oid, cache: store.cache });
  return tree.find((entry) => entry.path === name);
}
