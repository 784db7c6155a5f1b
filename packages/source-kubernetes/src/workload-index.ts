import { createHash } from 'node:crypto';
import type { DeployedServer, Logger, SourceEntry } from '@thv/registry-core';
import { WATCHED_KINDS, type KubeObject } from './toolhive-resources.js';
import { deriveWorkload, type Workload } from './workload.js';

/** One object that appeared, changed or went away. */
export interface ObjectChange {
  /** The object before the change; undefined when it is new. */
  readonly previous?: KubeObject;
  /** The object after the change; undefined when it was deleted. */
  readonly current?: KubeObject;
}

/** The registry entries and deployed instances of every watched resource at one moment. */
export interface WorkloadSnapshot {
  /** The exported entries, by name. */
  readonly entries: readonly SourceEntry[];
  /** `sha256:<hex>` of the entries: equal entries, equal fingerprint. */
  readonly fingerprint: string;
  /** Every instance, exported or not, by namespace, name and kind. */
  readonly deployed: readonly DeployedServer[];
}

interface IndexedWorkload extends Workload {
  readonly kindRank: number;
}

/**
 * The workloads of every watched resource, kept up to date from the objects' changes. Each
 * resource version is read once, so a resource that cannot be exported is warned about once per
 * version, however often the entries are asked for.
 */
export class WorkloadIndex {
  readonly #namePrefix: string;
  readonly #logger: Logger;
  readonly #workloads = new Map<string, IndexedWorkload>();
  /** Resources that lost their entry name to another kind, with the version warned about. */
  readonly #shadowed = new Map<string, string>();
  #snapshot: WorkloadSnapshot | undefined;

  constructor(namePrefix: string, logger: Logger) {
    this.#namePrefix = namePrefix;
    this.#logger = logger;
  }

  /**
   * Applies changes to objects of `kind`. Returns true when an entry appeared, changed or went
   * away (a change of status alone changes only the deployed instances).
   */
  apply(kind: string, changes: readonly ObjectChange[]): boolean {
    let entriesChanged = false;
    for (const { previous, current } of changes) {
      const key = workloadKey(kind, (current ?? previous) as KubeObject);
      const before = this.#workloads.get(key);
      if (current === undefined) {
        this.#workloads.delete(key);
        this.#shadowed.delete(key);
        entriesChanged ||= before?.entry !== undefined;
        continue;
      }
      const version = current.metadata?.resourceVersion ?? '';
      if (before !== undefined && version !== '' && before.resourceVersion === version) continue;
      const after = { ...deriveWorkload(kind, current, this.#namePrefix), kindRank: kindRank(kind) };
      if (after.problems.length > 0) {
        this.#logger.warn({ resource: after.ref, problems: after.problems }, `${after.ref} is not exported: ${after.problems.join('; ')}`);
      }
      this.#workloads.set(key, after);
      entriesChanged ||= JSON.stringify(before?.entry) !== JSON.stringify(after.entry);
    }
    if (changes.length > 0) this.#snapshot = undefined;
    return entriesChanged;
  }

  /** The current entries and instances (computed again only after a change). */
  snapshot(): WorkloadSnapshot {
    this.#snapshot ??= this.#build();
    return this.#snapshot;
  }

  #build(): WorkloadSnapshot {
    const ordered = [...this.#workloads.entries()].sort(([, a], [, b]) => byPlace(a, b));
    const owners = new Map<string, IndexedWorkload>();
    const deployed: DeployedServer[] = [];
    for (const [key, workload] of ordered) {
      const name = workload.entry?.server.name;
      const owner = name === undefined ? undefined : owners.get(name);
      if (name !== undefined && owner === undefined) {
        owners.set(name, workload);
        deployed.push({ ...workload.deployed, exported: true, serverName: name });
        continue;
      }
      if (owner !== undefined) this.#warnShadowed(key, workload, owner);
      deployed.push(workload.deployed);
    }
    const entries = [...owners.values()].map((workload) => workload.entry as SourceEntry);
    const fingerprint = `sha256:${createHash('sha256').update(JSON.stringify(entries)).digest('hex')}`;
    return { entries, fingerprint, deployed };
  }

  #warnShadowed(key: string, workload: IndexedWorkload, owner: IndexedWorkload): void {
    if (this.#shadowed.get(key) === workload.resourceVersion) return;
    this.#shadowed.set(key, workload.resourceVersion);
    const name = workload.entry?.server.name;
    this.#logger.warn({ resource: workload.ref, entry: name }, `${workload.ref} is not exported: its entry name ${name} is taken by ${owner.ref}`);
  }
}

/** `<kind>/<namespace>/<name>`: one resource. */
function workloadKey(kind: string, object: KubeObject): string {
  return `${kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function kindRank(kind: string): number {
  return WATCHED_KINDS.findIndex((watched) => watched.kind === kind);
}

/** By namespace and name (so by entry name), then kind in {@link WATCHED_KINDS} order. */
function byPlace(a: IndexedWorkload, b: IndexedWorkload): number {
  return (
    compare(a.deployed.namespace, b.deployed.namespace) || compare(a.deployed.name, b.deployed.name) || a.kindRank - b.kindRank
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
