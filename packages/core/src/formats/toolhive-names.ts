import { TOOLHIVE_META_NAMESPACE } from '../interfaces/model.js';

/**
 * The server.json name of a legacy entry, as ToolHive builds it: a name that already has a
 * namespace (`a.b/c`) is kept, a short one goes into ToolHive's own namespace
 * (`fetch` → `io.github.stacklok/fetch`).
 */
export function toolhiveServerName(shortOrFullName: string): string {
  return shortOrFullName.includes('/') ? shortOrFullName : `${TOOLHIVE_META_NAMESPACE}/${shortOrFullName}`;
}

/** The legacy key of a server: the part of its name after the slash (`io.github.stacklok/fetch` → `fetch`). */
export function toolhiveKey(serverName: string): string {
  const slash = serverName.indexOf('/');
  return slash === -1 ? serverName : serverName.slice(slash + 1);
}
