import fs from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import git from 'isomorphic-git';
import { SourceError } from '@thv/registry-core';
import { fewNames, refPhrase, shortSha, type GitRef } from './git-ref.js';
import { hasCommit, peelToCommit, readFileAt, type FileSnapshot, type ObjectStore } from './git-objects.js';
import type { GitRepository, Operation, ResolvedRef } from './repository.js';

/** Where a local repository is and what to read from it. */
export interface LocalRepositoryOptions {
  /** Absolute path of the repository: a working tree with `.git`, or a bare repository. */
  path: string;
  ref: GitRef;
  /** The registry file inside the repository (normalised). */
  file: string;
}

/**
 * A repository on local disk, read in place (isomorphic-git cannot fetch over the file
 * protocol, and a local read needs no cache): refs are resolved and the file's blob is read from
 * its git directory. The working tree, if any, is ignored: only committed content counts.
 */
export class LocalRepository implements GitRepository {
  readonly display: string;
  readonly remote = false;
  readonly #options: LocalRepositoryOptions;

  constructor(options: LocalRepositoryOptions) {
    this.#options = options;
    this.display = options.path;
  }

  async resolve(op: Operation): Promise<ResolvedRef> {
    const store = await this.#store(op);
    const { ref } = this.#options;
    let commit: string;
    switch (ref.kind) {
      case 'commit':
        if (!(await hasCommit(store, ref.sha))) {
          throw new SourceError(`commit ${shortSha(ref.sha)} not found in ${this.display} (full sha ${ref.sha})`);
        }
        commit = ref.sha;
        break;
      case 'branch':
      case 'tag': {
        const fullRef = `refs/${ref.kind === 'branch' ? 'heads' : 'tags'}/${ref.name}`;
        const oid = await this.#resolveRef(store, fullRef);
        if (oid === undefined) throw await this.#refNotFound(store);
        commit = await peelToCommit(store, oid);
        break;
      }
      case 'default': {
        const oid = await this.#resolveRef(store, 'HEAD');
        if (oid === undefined) throw new SourceError(`repository ${this.display} is empty (HEAD names no commit)`);
        commit = oid;
        break;
      }
    }
    return { commit };
  }

  async read(resolved: ResolvedRef, op: Operation, skipBlob?: string): Promise<FileSnapshot> {
    return readFileAt(await this.#store(op), resolved.commit, this.#options.file, skipBlob);
  }

  async #resolveRef(store: ObjectStore, ref: string): Promise<string | undefined> {
    try {
      return await git.resolveRef({ fs, gitdir: store.gitdir, ref });
    } catch (err) {
      if ((err as { code?: string }).code === 'NotFoundError') return undefined;
      throw err;
    }
  }

  async #refNotFound(store: ObjectStore): Promise<SourceError> {
    const { ref } = this.#options;
    const message = `${refPhrase(ref)} not found in ${this.display}`;
    const noun = ref.kind === 'tag' ? 'tags' : 'branches';
    try {
      const names =
        ref.kind === 'tag' ? await git.listTags({ fs, gitdir: store.gitdir }) : await git.listBranches({ fs, gitdir: store.gitdir });
      return new SourceError(`${message} (${names.length === 0 ? `the repository has no ${noun}` : `${noun}: ${fewNames(names)}`})`);
    } catch {
      return new SourceError(message);
    }
  }

  /** Finds the git directory: `<path>/.git` (a directory, or a file naming it), else `<path>` when it is bare. */
  async #store(op: Operation): Promise<ObjectStore> {
    const { path } = this.#options;
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new SourceError(`repository not found: ${path}`, { cause: err });
      throw new SourceError(`cannot read repository ${path}: ${err.code ?? err.message}`, { cause: err });
    });
    if (!info.isDirectory()) throw new SourceError(`repository ${path} is not a directory`);
    const dotGit = join(path, '.git');
    const dotGitInfo = await stat(dotGit).catch(() => undefined);
    let gitdir: string | undefined;
    if (dotGitInfo?.isDirectory() === true) gitdir = dotGit;
    else if (dotGitInfo?.isFile() === true) {
      // A submodule's checkout: `.git` is a file "gitdir: <path>".
      const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(dotGit, 'utf8'))?.[1];
      if (pointer !== undefined) gitdir = resolve(path, pointer);
    } else if (await isGitDir(path)) gitdir = path;
    if (gitdir === undefined || !(await isGitDir(gitdir))) throw new SourceError(`${path} is not a git repository`);
    return { gitdir, cache: op.cache, display: this.display };
  }
}

async function isGitDir(dir: string): Promise<boolean> {
  const [head, objects] = await Promise.all([
    stat(join(dir, 'HEAD')).catch(() => undefined),
    stat(join(dir, 'objects')).catch(() => undefined),
  ]);
  return head?.isFile() === true && objects?.isDirectory() === true;
}
