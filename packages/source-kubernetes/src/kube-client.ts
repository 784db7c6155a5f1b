import {
  ApisApi,
  CustomObjectsApi,
  Observable,
  Watch,
  type ConfigurationOptions,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { collectionPath, TOOLHIVE_GROUP, type KubeObject, type WatchTarget } from './toolhive-resources.js';

/** The longest a discovery or list request may take before it is abandoned (and retried). */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The shortest time the API server is asked to keep a watch open (`timeoutSeconds`); each watch
 * asks for between this and twice this, as client-go does, so that a stream that stalled without
 * the connection noticing is replaced within minutes and many replicas do not reconnect at once.
 */
export const MIN_WATCH_SECONDS = 300;

/** A list of objects and the resource version to watch from. */
export interface KubeList {
  readonly items: readonly KubeObject[];
  readonly resourceVersion: string;
}

/** What a watch hands over: each event, then its end. */
export interface WatchHandlers {
  /** `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR` (the object is then a Status). */
  onEvent(type: string, object: KubeObject): void;
  /** The stream ended: cleanly (undefined) or with an error. Called at most once, and not after {@link WatchStream.abort}. */
  onEnd(error: unknown): void;
}

/** An established watch. */
export interface WatchStream {
  /** Closes the stream. */
  abort(): void;
}

/**
 * The requests the source makes, through `@kubernetes/client-node`: API discovery, list and watch
 * of ToolHive's custom resources. Authentication, TLS and the server come from the KubeConfig.
 */
export class KubeClient {
  readonly #apis: ApisApi;
  readonly #customObjects: CustomObjectsApi;
  readonly #watch: Watch;

  constructor(kubeConfig: KubeConfig) {
    this.#apis = kubeConfig.makeApiClient(ApisApi);
    this.#customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#watch = new Watch(kubeConfig);
  }

  /** The versions of the ToolHive group the cluster serves (`GET /apis`); none when it serves no such group. */
  async groupVersions(signal: AbortSignal): Promise<string[]> {
    const list = await this.#apis.getAPIVersions({}, withSignal(signal));
    const group = list.groups.find((candidate) => candidate.name === TOOLHIVE_GROUP);
    return group?.versions.map((version) => version.version) ?? [];
  }

  /** The resource names (plurals) one version of the ToolHive group serves (`GET /apis/<group>/<version>`). */
  async resourceNames(version: string, signal: AbortSignal): Promise<Set<string>> {
    const list = await this.#customObjects.getAPIResources({ group: TOOLHIVE_GROUP, version }, withSignal(signal));
    return new Set(list.resources.map((resource) => resource.name));
  }

  /** Lists the target's objects. A body that is not an object list throws. */
  async list(target: WatchTarget, signal: AbortSignal): Promise<KubeList> {
    const request = { group: TOOLHIVE_GROUP, version: target.version, plural: target.plural };
    const body: unknown =
      target.namespace === undefined
        ? await this.#customObjects.listClusterCustomObject(request, withSignal(signal))
        : await this.#customObjects.listNamespacedCustomObject({ ...request, namespace: target.namespace }, withSignal(signal));
    return readList(body, target);
  }

  /**
   * Watches the target's objects from `resourceVersion` (with bookmarks). Resolves once the API
   * server accepted the watch; rejects with what went wrong when it did not (an error with
   * `statusCode` for an HTTP status, a network error …).
   */
  async watch(target: WatchTarget, resourceVersion: string, handlers: WatchHandlers): Promise<WatchStream> {
    let established = false;
    let aborted = false;
    let refused: { error: unknown } | undefined;
    const controller = await this.#watch.watch(
      collectionPath(target),
      { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: Math.round(MIN_WATCH_SECONDS * (1 + Math.random())) },
      (type: string, object: KubeObject) => handlers.onEvent(type, object),
      (error: unknown) => {
        if (aborted) return;
        if (established) handlers.onEnd(error ?? undefined);
        else refused = { error: error ?? new Error('the watch closed as it opened') };
      },
    );
    if (refused !== undefined) throw refused.error;
    established = true;
    return {
      abort: () => {
        aborted = true;
        controller.abort();
      },
    };
  }
}

/** Per-request options that make the generated API client abort with `signal` or after {@link REQUEST_TIMEOUT_MS}. */
function withSignal(signal: AbortSignal): ConfigurationOptions {
  const limited = AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  return {
    middleware: [
      {
        pre: (context: RequestContext) => {
          context.setSignal(limited);
          return new Observable(Promise.resolve(context));
        },
        post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

function readList(body: unknown, target: WatchTarget): KubeList {
  const record = (typeof body === 'object' && body !== null ? body : {}) as { items?: unknown; metadata?: { resourceVersion?: unknown } };
  if (!Array.isArray(record.items)) throw new Error(`the ${target.kind} list has no items array`);
  const resourceVersion = record.metadata?.resourceVersion;
  return { items: record.items as KubeObject[], resourceVersion: typeof resourceVersion === 'string' ? resourceVersion : '' };
}
