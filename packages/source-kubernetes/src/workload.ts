import { validateServer, type DeployedServer, type SourceEntry } from '@thv/registry-core';
import { ANNOTATIONS, exportRequested, readExportSettings, type ExportSettings } from './annotations.js';
import { omitUndefined } from './omit-undefined.js';
import {
  annotationsOf,
  createdAtOf,
  declaredTransport,
  imageOf,
  phaseOf,
  readyOf,
  remoteTransportOf,
  statusUrl,
  textField,
} from './resource-fields.js';
import { buildServer } from './server-entry.js';
import type { KubeObject } from './toolhive-resources.js';

/** What the source makes of one ToolHive resource. */
export interface Workload {
  /** How messages name the resource: `MCPServer default/fetch`. */
  readonly ref: string;
  /** The resource version it was made from. */
  readonly resourceVersion: string;
  /** The running instance, for `/api/v0/deployed`, as if not exported (the index decides that). */
  readonly deployed: DeployedServer;
  /** The registry entry, when the resource is exported and its annotations are usable. */
  readonly entry?: SourceEntry;
  /** Why a resource annotated for export is not exported; empty otherwise. */
  readonly problems: readonly string[];
}

/**
 * Reads a ToolHive resource of `kind`: always its deployed instance; an entry named
 * `<namePrefix>/<namespace>.<name>` when it is annotated `registry-export: "true"` and everything
 * the entry needs is usable, else the problems that keep it out.
 */
export function deriveWorkload(kind: string, object: KubeObject, namePrefix: string): Workload {
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  const annotations = annotationsOf(object);
  const deployed: DeployedServer = omitUndefined({
    name,
    namespace,
    kind,
    serverName: textField(annotations, ANNOTATIONS.serverName),
    exported: false,
    image: imageOf(object),
    transport: declaredTransport(kind, object),
    url: statusUrl(object),
    phase: phaseOf(object),
    ready: readyOf(object),
    createdAt: createdAtOf(object),
  });
  const workload = { ref: `${kind} ${namespace}/${name}`, resourceVersion: object.metadata?.resourceVersion ?? '', deployed };
  if (!exportRequested(annotations)) return { ...workload, problems: [] };

  const { settings, problems } = readExportSettings(annotations);
  const remote = remoteTransportOf(kind, object);
  const remoteType = 'type' in remote ? remote.type : undefined;
  if ('problem' in remote) problems.push(remote.problem);
  const url = settings.url ?? deployed.url;
  if (url === undefined) problems.push(`it has no URL: set annotation ${ANNOTATIONS.url} or wait for the operator to set status.url`);
  if (problems.length > 0 || remoteType === undefined || url === undefined) return { ...workload, problems };

  const resource = { kind, namespace, name, uid: object.metadata?.uid, image: deployed.image, transport: deployed.transport, remoteType, url };
  const checked = validateServer(buildServer(resource, settings, namePrefix));
  if (!checked.ok) return { ...workload, problems: [describeInvalid(checked.reason, settings)] };
  return { ...workload, entry: { server: checked.server }, problems: [] };
}

/** A server.json failure (`/title must NOT have more than 100 characters`) worded by where the value came from. */
function describeInvalid(reason: string, settings: ExportSettings): string {
  const origin = originOf(/^\/([^/\s]+)/.exec(reason)?.[1], settings);
  return origin === undefined ? `its entry is not a valid server.json (${reason})` : `${origin} does not fit server.json (${reason})`;
}

function originOf(field: string | undefined, settings: ExportSettings): string | undefined {
  switch (field) {
    case 'title':
    case 'description':
    case 'version':
      // A generated description or version always fits; only an annotated one can fail.
      return settings[field] === undefined ? undefined : `annotation ${ANNOTATIONS[field]}`;
    case 'icons':
      return `annotation ${ANNOTATIONS.icon}`;
    case 'remotes':
      return settings.url === undefined ? 'status.url' : `annotation ${ANNOTATIONS.url}`;
    case 'name':
      return 'the resource name';
    default:
      return undefined;
  }
}
