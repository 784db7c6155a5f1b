import {
  AbortedError,
  raceAbort,
  type DeployedServer,
  type Logger,
  type SourceFetchRequest,
  type SourceFetchResult,
  type SourceHandler,
} from '@thv/registry-core';
import { ClusterWatch } from './cluster-watch.js';
import { KubeClient } from './kube-client.js';
import type { LoadedKubeConfig } from './kube-config.js';
import { WorkloadIndex } from './workload-index.js';

/** Everything a {@link KubernetesSource} needs, resolved from the config block. */
export interface KubernetesSourceOptions {
  readonly kube: LoadedKubeConfig;
  /** The namespaces to watch; undefined: every namespace. */
  readonly namespaces?: readonly string[];
  /** The namespace part of entry names, e.g. `local.kubernetes`. */
  readonly namePrefix: string;
  /** How long a fetch waits for the watched kinds to be listed, in ms. */
  readonly timeoutMs: number;
  /** The same, as configured (`30s`), for messages. */
  readonly timeoutText: string;
  readonly logger: Logger;
}

/**
 * The `kubernetes` source: the MCP servers that ToolHive's operator runs in a cluster. It lists and
 * watches the MCPServer, VirtualMCPServer and MCPRemoteProxy resources and keeps them in memory;
 * a fetch answers from that cache once it is current, `watch` reports changes as they happen, and
 * `deployed` lists every instance, exported or not. Nothing starts before the first `fetch` or
 * `watch`.
 */
export class KubernetesSource implements SourceHandler {
  readonly #options: KubernetesSourceOptions;
  readonly #index: WorkloadIndex;
  readonly #cluster: ClusterWatch;

  constructor(options: KubernetesSourceOptions) {
    this.#options = options;
    this.#index = new WorkloadIndex(options.namePrefix, options.logger);
    this.#cluster = new ClusterWatch({
      client: new KubeClient(options.kube.kubeConfig),
      server: options.kube.server,
      ...(options.namespaces !== undefined && { namespaces: options.namespaces }),
      index: this.#index,
      logger: options.logger,
    });
  }

  /** `kubernetes <server> (namespaces a, b)`, or `(all namespaces)`. */
  describe(): string {
    const { namespaces } = this.#options;
    const scope =
      namespaces === undefined ? 'all namespaces' : `${namespaces.length === 1 ? 'namespace' : 'namespaces'} ${namespaces.join(', ')}`;
    return `kubernetes ${this.#options.kube.server} (${scope})`;
  }

  /**
   * The exported entries, once every watched kind is listed (waiting at most `timeout`). While a
   * watch is disconnected it throws, so the registry keeps its last good data.
   */
  async fetch(request: SourceFetchRequest): Promise<SourceFetchResult> {
    if (request.signal.aborted) throw this.#aborted(request.signal.reason);
    this.#cluster.start();
    const settled = new AbortController();
    try {
      await raceAbort(this.#cluster.whenReady(settled.signal, this.#options.timeoutMs, this.#options.timeoutText), request.signal);
    } catch (error) {
      throw request.signal.aborted ? this.#aborted(error) : error;
    } finally {
      settled.abort();
    }
    const { entries, fingerprint } = this.#index.snapshot();
    if (request.allowUnchanged && request.previous?.fingerprint === fingerprint) return { unchanged: true };
    this.#options.logger.debug({ count: entries.length }, 'kubernetes resources read');
    return { mode: 'full', entries: [...entries], fingerprint };
  }

  /** Starts watching (if a fetch has not yet) and calls `onChange` as soon as an entry may have changed. */
  watch(onChange: () => void): () => void {
    this.#cluster.start();
    return this.#cluster.onChange(onChange);
  }

  /** Every instance seen, exported or not, from memory (also while a watch is disconnected). */
  deployed(): readonly DeployedServer[] {
    return this.#index.snapshot().deployed;
  }

  /** Stops every watch, request and timer. */
  async close(): Promise<void> {
    this.#cluster.stop();
  }

  #aborted(cause: unknown): AbortedError {
    return new AbortedError(`reading ${this.describe()} was aborted`, { cause });
  }
}
