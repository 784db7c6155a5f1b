import { randomUUID } from 'node:crypto';

/** Metadata of an emulated object; the store sets `uid`, `resourceVersion` and `creationTimestamp`. */
export interface KubeMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  [field: string]: unknown;
}

/** A Kubernetes object as the emulator stores and serves it. */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: KubeMetadata;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A change, as a watch event reports it. */
export interface StoredEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resourceVersion: number;
  /** The object after the change (for `DELETED`, its last state with the deletion's version). */
  readonly object: KubeObject;
}

/**
 * Objects with one resource version counter for all of them, as etcd keeps it: every change takes
 * the next version and is kept in a history that watches replay from, until {@link compact} drops it.
 */
export class KubeObjectStore {
  #resourceVersion = 1;
  #compactedAt = 0;
  readonly #objects = new Map<string, KubeObject>();
  #history: StoredEvent[] = [];

  /** The newest resource version handed out. */
  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  /** Watches from a version older than this are answered 410 Gone. */
  get compactedAt(): number {
    return this.#compactedAt;
  }

  /** Creates or replaces an object (namespace default `default`); keeps its uid and creation time. */
  apply(object: KubeObject): StoredEvent {
    const namespace = object.metadata.namespace ?? 'default';
    const key = objectKey(object.kind, namespace, object.metadata.name);
    const existing = this.#objects.get(key);
    const stored = structuredClone(object);
    delete stored.apiVersion;
    stored.metadata = {
      ...stored.metadata,
      namespace,
      uid: existing?.metadata.uid ?? object.metadata.uid ?? randomUUID(),
      creationTimestamp: existing?.metadata.creationTimestamp ?? object.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      resourceVersion: String(++this.#resourceVersion),
    };
    this.#objects.set(key, stored);
    return this.#record(existing === undefined ? 'ADDED' : 'MODIFIED', stored);
  }

  /** Deletes an object; undefined when there is none. */
  delete(kind: string, namespace: string, name: string): StoredEvent | undefined {
    const key = objectKey(kind, namespace, name);
    const existing = this.#objects.get(key);
    if (existing === undefined) return undefined;
    this.#objects.delete(key);
    const gone = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++this.#resourceVersion) } };
    return this.#record('DELETED', gone);
  }

  /** One object, or undefined. */
  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.#objects.get(objectKey(kind, namespace, name));
  }

  /** The objects of a kind, in one namespace or all, by namespace and name. */
  list(kind: string, namespace?: string): KubeObject[] {
    return [...this.#objects.values()]
      .filter((object) => inScope(object, kind, namespace))
      .sort((a, b) => objectKey(kind, a.metadata.namespace ?? '', a.metadata.name).localeCompare(objectKey(kind, b.metadata.namespace ?? '', b.metadata.name)));
  }

  /** The changes of a kind (in one namespace or all) after `resourceVersion`, or `gone` when they were compacted away. */
  eventsSince(kind: string, namespace: string | undefined, resourceVersion: number): StoredEvent[] | 'gone' {
    if (resourceVersion < this.#compactedAt) return 'gone';
    return this.#history.filter((event) => event.resourceVersion > resourceVersion && inScope(event.object, kind, namespace));
  }

  /** Forgets the history up to now: a watch from an older version gets 410 Gone. */
  compact(): void {
    this.#compactedAt = this.#resourceVersion;
    this.#history = [];
  }

  #record(type: StoredEvent['type'], object: KubeObject): StoredEvent {
    const event: StoredEvent = { type, resourceVersion: this.#resourceVersion, object: structuredClone(object) };
    this.#history.push(event);
    return event;
  }
}

/** True when the object is of `kind` and, with a namespace, in it. */
export function inScope(object: KubeObject, kind: string, namespace: string | undefined): boolean {
  return object.kind === kind && (namespace === undefined || object.metadata.namespace === namespace);
}

function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
