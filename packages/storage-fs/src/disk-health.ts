import type { StorageHealth } from '@thv/registry-core';

/** System errors that mean the disk refuses writes, and how to say so. */
const DISK_PROBLEMS: ReadonlyMap<string, string> = new Map([
  ['ENOSPC', 'disk full'],
  ['EDQUOT', 'disk quota exceeded'],
  ['EROFS', 'read-only file system'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
]);

/**
 * What the disk is refusing, when `error` or one of its causes is a full disk, an exceeded quota,
 * a read-only file system or a denied permission; undefined for anything else.
 */
export function diskProblem(error: unknown): string | undefined {
  for (let err = error; err instanceof Error; err = err.cause) {
    const problem = DISK_PROBLEMS.get(String((err as NodeJS.ErrnoException).code));
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Which write failed: a commit (snapshot and status) or a status save. */
export type WriteKind = 'commit' | 'status';

interface Problem {
  message: string;
  /** A commit failed: only a commit proves that a snapshot fits again. */
  commit: boolean;
}

/**
 * The registries whose last write failed because the disk refused it. A registry recovers with
 * its next successful commit, or with a successful status save when only status saves had failed:
 * after a commit fails on a full disk the sync saves a (small) failed status, which may fit while
 * the snapshot still does not.
 */
export class DiskHealth {
  /** By registry; the most recent failure last. */
  readonly #problems = new Map<string, Problem>();

  /** Records a disk failure; true when the registry was writable until now. */
  failed(registry: string, kind: WriteKind, message: string): boolean {
    const previous = this.#problems.get(registry);
    this.#problems.delete(registry);
    this.#problems.set(registry, { message, commit: kind === 'commit' || previous?.commit === true });
    return previous === undefined;
  }

  /** Records a successful write; true when it ended a disk failure of the registry. */
  succeeded(registry: string, kind: WriteKind): boolean {
    const problem = this.#problems.get(registry);
    if (problem === undefined || (problem.commit && kind !== 'commit')) return false;
    this.#problems.delete(registry);
    return true;
  }

  /** Unhealthy while a registry cannot be written; the message is the most recent failure's. */
  health(): StorageHealth {
    const problems = [...this.#problems.values()];
    const latest = problems.at(-1);
    if (latest === undefined) return { healthy: true };
    const others = problems.length - 1;
    const more = others === 0 ? '' : ` (and ${others} more ${others === 1 ? 'registry' : 'registries'})`;
    return { healthy: false, message: `${latest.message}${more}` };
  }
}
