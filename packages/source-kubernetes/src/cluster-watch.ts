import { SourceError, type Logger } from '@thv/registry-core';
import { discoverKinds, type ServedKinds } from './api-discovery.js';
import { Backoff } from './backoff.js';
import { describeKubeFailure } from './failure.js';
import type { KubeClient } from './kube-client.js';
import { Reflector } from './reflector.js';
import { describeTarget, TOOLHIVE_GROUP, TOOLHIVE_VERSIONS } from './toolhive-resources.js';
import type { WorkloadIndex } from './workload-index.js';

/** What a {@link ClusterWatch} needs. */
export interface ClusterWatchOptions {
  readonly client: KubeClient;
  /** The API server's URL, for messages. */
  readonly server: string;
  /** The namespaces to watch; undefined: every namespace. */
  readonly namespaces?: readonly string[];
  /** Where the objects' workloads are kept. */
  readonly index: WorkloadIndex;
  readonly logger: Logger;
}

type Phase = 'idle' | 'discovering' | 'discovery-failed' | 'running' | 'stopped';

/** Whether the watched objects are current: yes, not yet, or not (with the error a fetch throws). */
type Readiness = { ready: true } | { ready: false; failure?: SourceError };

/**
 * Watches every ToolHive kind the cluster serves in every configured namespace: API discovery
 * first (retried with backoff), then one {@link Reflector} per kind and namespace feeding the
 * {@link WorkloadIndex}. It tells listeners as soon as an entry may have changed, and a fetch when
 * everything is current or what stands in the way.
 */
export class ClusterWatch {
  readonly #options: ClusterWatchOptions;
  readonly #backoff = new Backoff();
  readonly #changeListeners = new Set<() => void>();
  readonly #stateListeners = new Set<() => void>();
  #phase: Phase = 'idle';
  #discoveryError: unknown;
  #discoveryAbort: AbortController | undefined;
  #retry: NodeJS.Timeout | undefined;
  #reflectors: Reflector[] = [];
  /** Something failed since everything was last current: listeners hear when it is again. */
  #degraded = false;

  constructor(options: ClusterWatchOptions) {
    this.#options = options;
  }

  /** Starts discovery and the watches; does nothing when already started (or stopped). */
  start(): void {
    if (this.#phase === 'idle') this.#discover();
  }

  /** Stops every watch, request and timer. A fetch waiting for readiness fails. */
  stop(): void {
    this.#phase = 'stopped';
    clearTimeout(this.#retry);
    this.#discoveryAbort?.abort();
    for (const reflector of this.#reflectors) reflector.stop();
    this.#reflectors = [];
    this.#changeListeners.clear();
    this.#stateChanged();
  }

  /** Calls `listener` whenever an entry may have changed, after the first list. Returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /**
   * Resolves once every watched kind is listed and watched; rejects with a `SourceError` as soon as
   * the API server cannot be reached or a watch is disconnected, or after `timeoutMs`. It stops
   * waiting (and resolves) when `stop` aborts.
   */
  whenReady(stop: AbortSignal, timeoutMs: number, timeoutText: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.#stateListeners.delete(check);
        stop.removeEventListener('abort', onStop);
        settle();
      };
      const check = (): void => {
        const readiness = this.#readiness();
        if (readiness.ready) finish(resolve);
        else if (readiness.failure !== undefined) finish(() => reject(readiness.failure));
      };
      const onStop = (): void => finish(resolve);
      const timer = setTimeout(() => finish(() => reject(this.#timedOut(timeoutText))), timeoutMs);
      stop.addEventListener('abort', onStop, { once: true });
      this.#stateListeners.add(check);
      check();
    });
  }

  #discover(): void {
    this.#phase = 'discovering';
    const controller = new AbortController();
    this.#discoveryAbort = controller;
    discoverKinds(this.#options.client, controller.signal).then(
      (kinds) => {
        if (this.#phase === 'discovering') this.#watch(kinds);
      },
      (error: unknown) => {
        if (this.#phase === 'discovering') this.#discoveryFailed(error);
      },
    );
  }

  #discoveryFailed(error: unknown): void {
    const delay = this.#backoff.next();
    const log = { server: this.#options.server, cause: describeKubeFailure(error), retryInMs: delay };
    if (this.#discoveryError === undefined) this.#options.logger.warn(log, 'API discovery failed; retrying');
    else this.#options.logger.debug(log, 'API discovery still failing; retrying');
    this.#phase = 'discovery-failed';
    this.#discoveryError = error;
    this.#degraded = true;
    this.#retry = setTimeout(() => this.#discover(), delay);
    this.#stateChanged();
  }

  #watch({ served, missing }: ServedKinds): void {
    this.#phase = 'running';
    this.#discoveryError = undefined;
    for (const { kind } of missing) {
      this.#options.logger.info({ kind, group: TOOLHIVE_GROUP, versions: TOOLHIVE_VERSIONS }, `${kind} is not served by the cluster; not watched`);
    }
    const scopes = this.#options.namespaces ?? [undefined];
    for (const kind of served) {
      for (const namespace of scopes) {
        const reflector: Reflector = new Reflector({
          target: namespace === undefined ? kind : { ...kind, namespace },
          client: this.#options.client,
          logger: this.#options.logger,
          onChanges: (changes, initial) => {
            if (this.#options.index.apply(kind.kind, changes) && !initial) this.#changed();
          },
          onStateChange: () => {
            if (reflector.state === 'failing') this.#degraded = true;
            this.#stateChanged();
          },
        });
        this.#reflectors.push(reflector);
      }
    }
    for (const reflector of this.#reflectors) reflector.start();
    this.#options.logger.debug({ served: served.map(({ kind, version }) => `${kind} ${version}`), namespaces: scopes }, 'watching');
    this.#stateChanged();
  }

  #stateChanged(): void {
    for (const listener of [...this.#stateListeners]) listener();
    // Changes missed meanwhile arrive as events or in a new list; the syncs that failed are retried now.
    if (this.#degraded && this.#readiness().ready) {
      this.#degraded = false;
      this.#changed();
    }
  }

  #readiness(): Readiness {
    const { server } = this.#options;
    switch (this.#phase) {
      case 'idle':
      case 'discovering':
        return { ready: false };
      case 'stopped':
        return { ready: false, failure: new SourceError(`the kubernetes source for ${server} is closed`) };
      case 'discovery-failed':
        return { ready: false, failure: failure(`cannot discover the ${TOOLHIVE_GROUP} API of the Kubernetes API server ${server}`, this.#discoveryError) };
      case 'running':
        break;
    }
    for (const reflector of this.#reflectors) {
      if (reflector.state !== 'failing') continue;
      const what = describeTarget(reflector.target);
      const message = reflector.synced
        ? `the watch of ${what} at the Kubernetes API server ${server} is disconnected (reconnecting)`
        : `cannot list ${what} from the Kubernetes API server ${server}`;
      return { ready: false, failure: failure(message, reflector.error) };
    }
    return { ready: this.#reflectors.every((reflector) => reflector.state === 'watching') };
  }

  #timedOut(timeoutText: string): SourceError {
    const { server } = this.#options;
    const pending = this.#reflectors.filter((reflector) => reflector.state !== 'watching').map((reflector) => describeTarget(reflector.target));
    const waitingFor = this.#phase === 'running' ? `the list of ${pending.join(', ')}` : `API discovery`;
    return new SourceError(`timed out after ${timeoutText} waiting for ${waitingFor} from the Kubernetes API server ${server}`);
  }

  #changed(): void {
    for (const listener of this.#changeListeners) {
      try {
        listener();
      } catch (error) {
        this.#options.logger.error({ err: error }, 'a change listener of the kubernetes source failed');
      }
    }
  }
}

function failure(message: string, cause: unknown): SourceError {
  return new SourceError(`${message}: ${describeKubeFailure(cause)}`, { cause });
}
