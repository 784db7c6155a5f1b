import type { Logger } from '@thv/registry-core';
import { Backoff } from './backoff.js';
import { describeKubeFailure } from './failure.js';
import type { KubeClient, WatchStream } from './kube-client.js';
import { describeTarget, type KubeObject, type WatchTarget } from './toolhive-resources.js';
import type { ObjectChange } from './workload-index.js';

/**
 * Where a reflector is: `connecting` (listing or opening a watch, no failure since the last
 * success), `watching` (its objects are current and changes stream in), or `failing` (the last
 * attempt failed; it retries with backoff).
 */
export type ReflectorState = 'connecting' | 'watching' | 'failing';

/** A watch stream that lived this long was healthy: the next one opens at once. A shorter one waits a backoff delay. */
export const HEALTHY_STREAM_MS = 1000;

/** What a {@link Reflector} needs. */
export interface ReflectorOptions {
  readonly target: WatchTarget;
  readonly client: KubeClient;
  readonly logger: Logger;
  /** Objects appeared, changed or went away; `initial` for those of the first list. */
  readonly onChanges: (changes: readonly ObjectChange[], initial: boolean) => void;
  /** {@link Reflector.state} changed. */
  readonly onStateChange: () => void;
}

/**
 * Keeps the objects of one {@link WatchTarget} current, as client-go's reflector does: list, then
 * watch from the list's resource version (with bookmarks), applying each event. A watch that ends
 * is opened again from the last version seen; a version the API server no longer has (410 Gone)
 * makes it list again, and the differences are reported as changes. Failures are retried with
 * {@link Backoff}; nothing it does rejects or throws into its caller.
 */
export class Reflector {
  readonly target: WatchTarget;
  readonly #options: ReflectorOptions;
  readonly #backoff = new Backoff();
  #objects = new Map<string, KubeObject>();
  #resourceVersion = '';
  #state: ReflectorState = 'connecting';
  #error: unknown;
  #synced = false;
  #stopped = false;
  /** Identifies the current attempt; callbacks of an older one are ignored. */
  #attempt = 0;
  #retry: NodeJS.Timeout | undefined;
  #listAbort: AbortController | undefined;
  #stream: WatchStream | undefined;
  #streamOpenedAt = 0;

  constructor(options: ReflectorOptions) {
    this.target = options.target;
    this.#options = options;
  }

  /** See {@link ReflectorState}. */
  get state(): ReflectorState {
    return this.#state;
  }

  /** What the last attempt failed with, while {@link state} is `failing`. */
  get error(): unknown {
    return this.#error;
  }

  /** True once a list succeeded: the objects were current at least once. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Starts listing and watching. */
  start(): void {
    this.#connect();
  }

  /** Stops for good: aborts the list or watch in flight and any retry. */
  stop(): void {
    this.#stopped = true;
    this.#attempt += 1;
    clearTimeout(this.#retry);
    this.#listAbort?.abort();
    this.#stream?.abort();
    this.#stream = undefined;
  }

  #connect(): void {
    const attempt = ++this.#attempt;
    this.#run(attempt).catch((error: unknown) => this.#failed(attempt, error));
  }

  #current(attempt: number): boolean {
    return !this.#stopped && attempt === this.#attempt;
  }

  async #run(attempt: number): Promise<void> {
    const listsFirst = this.#resourceVersion === '';
    if (listsFirst) await this.#list(attempt);
    if (!this.#current(attempt)) return;
    let stream: WatchStream;
    try {
      stream = await this.#options.client.watch(this.target, this.#resourceVersion, {
        onEvent: (type, object) => this.#onEvent(attempt, type, object),
        onEnd: (error) => this.#onEnd(attempt, error),
      });
    } catch (error) {
      // The version listed a moment ago cannot be gone already: only an older one is listed again at once.
      if (!isGone(error) || listsFirst) throw error;
      this.#expired(attempt);
      return;
    }
    if (!this.#current(attempt)) {
      stream.abort();
      return;
    }
    this.#stream = stream;
    this.#streamOpenedAt = Date.now();
    this.#backoff.reset();
    this.#options.logger.debug({ target: describeTarget(this.target), resourceVersion: this.#resourceVersion }, 'watch opened');
    this.#setState('watching');
  }

  async #list(attempt: number): Promise<void> {
    const controller = new AbortController();
    this.#listAbort = controller;
    const list = await this.#options.client.list(this.target, controller.signal).finally(() => {
      if (this.#listAbort === controller) this.#listAbort = undefined;
    });
    if (!this.#current(attempt)) return;
    const changes = this.#replace(list.items);
    this.#resourceVersion = list.resourceVersion;
    const initial = !this.#synced;
    this.#synced = true;
    this.#options.logger.debug({ target: describeTarget(this.target), count: list.items.length, changed: changes.length }, 'listed');
    if (changes.length > 0) this.#options.onChanges(changes, initial);
  }

  /** Takes a fresh list as the objects; returns what differs from the objects held before. */
  #replace(items: readonly KubeObject[]): ObjectChange[] {
    const next = new Map(items.map((item) => [objectKey(item), item]));
    const changes: ObjectChange[] = [];
    for (const [key, previous] of this.#objects) if (!next.has(key)) changes.push({ previous });
    for (const [key, current] of next) {
      const previous = this.#objects.get(key);
      if (previous?.metadata?.resourceVersion !== current.metadata?.resourceVersion) changes.push({ previous, current });
    }
    this.#objects = next;
    return changes;
  }

  #onEvent(attempt: number, type: string, object: KubeObject): void {
    if (!this.#current(attempt)) return;
    if (type === 'ERROR') return this.#onErrorEvent(object as { code?: unknown; message?: unknown });
    const key = objectKey(object);
    const previous = this.#objects.get(key);
    const version = object.metadata?.resourceVersion;
    if (typeof version === 'string' && version !== '') this.#resourceVersion = version;
    if (type === 'ADDED' || type === 'MODIFIED') {
      this.#objects.set(key, object);
      this.#options.onChanges([{ previous, current: object }], false);
    } else if (type === 'DELETED' && previous !== undefined) {
      this.#objects.delete(key);
      this.#options.onChanges([{ previous }], false);
    }
    this.#options.logger.debug({ target: describeTarget(this.target), type, name: key, resourceVersion: version }, 'watch event');
  }

  #onErrorEvent(status: { code?: unknown; message?: unknown }): void {
    const log = { target: describeTarget(this.target), code: status.code, reason: status.message };
    if (status.code === 410) {
      // The API server ends the stream next; the objects are listed again then.
      this.#resourceVersion = '';
      this.#options.logger.debug(log, 'watched resource version expired; listing again');
    } else {
      this.#options.logger.warn(log, 'watch error event');
    }
  }

  #onEnd(attempt: number, error: unknown): void {
    if (!this.#current(attempt)) return;
    this.#stream = undefined;
    if (isGone(error)) this.#resourceVersion = '';
    const healthy = Date.now() - this.#streamOpenedAt >= HEALTHY_STREAM_MS;
    // An expired version is listed again at once; a stream closed as soon as it opened is not reopened in a tight loop.
    const delay = healthy || this.#resourceVersion === '' ? 0 : this.#backoff.next();
    const log = { target: describeTarget(this.target), ...(error !== undefined && { cause: describeKubeFailure(error) }), retryInMs: delay };
    this.#options.logger.debug(log, 'watch stream ended; reopening');
    this.#setState('connecting');
    this.#schedule(delay);
  }

  #expired(attempt: number): void {
    this.#resourceVersion = '';
    this.#options.logger.debug({ target: describeTarget(this.target) }, 'resource version expired (410); listing again');
    if (this.#current(attempt)) this.#connect();
  }

  #failed(attempt: number, error: unknown): void {
    if (!this.#current(attempt)) return;
    this.#stream = undefined;
    const delay = this.#backoff.next();
    const log = { target: describeTarget(this.target), cause: describeKubeFailure(error), retryInMs: delay };
    if (this.#state !== 'failing') {
      this.#options.logger.warn(log, this.#synced ? 'watch disconnected; reconnecting' : 'cannot list; retrying');
    } else {
      this.#options.logger.debug(log, 'still failing; retrying');
    }
    this.#error = error;
    this.#setState('failing');
    this.#schedule(delay);
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#stopped) this.#connect();
    }, delayMs);
  }

  #setState(state: ReflectorState): void {
    const previous = this.#state;
    this.#state = state;
    if (state !== 'failing') this.#error = undefined;
    if (previous === 'failing' && state === 'watching') {
      this.#options.logger.info({ target: describeTarget(this.target) }, 'watch reconnected');
    }
    this.#options.onStateChange();
  }
}

/** `<namespace>/<name>`: one object of a kind. */
function objectKey(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** True for a 410 Gone (the resource version asked for is no longer kept). */
function isGone(error: unknown): boolean {
  const record = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: unknown; code?: unknown };
  return record.statusCode === 410 || record.code === 410;
}
