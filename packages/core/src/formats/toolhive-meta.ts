import { isPlainObject } from '../config/config-path.js';
import { PUBLISHER_META_KEY, TOOLHIVE_META_NAMESPACE, type ServerJSON } from '../interfaces/model.js';
import type { ToolhiveExtensions } from './toolhive-types.js';

/**
 * The `_meta` of a server.json document carrying ToolHive's fields of one server, laid out as
 * ToolHive does: `publisher-provided` → `io.github.stacklok` → the image reference (containers)
 * or the URL (remotes) → the fields.
 */
export function toolhiveMeta(key: string, extensions: ToolhiveExtensions): NonNullable<ServerJSON['_meta']> {
  return { [PUBLISHER_META_KEY]: { [TOOLHIVE_META_NAMESPACE]: { [key]: extensions } } };
}

/**
 * ToolHive's fields of a server: the block under `key` when there is one, else the first block
 * (ToolHive itself reads the first), else undefined.
 */
export function toolhiveExtensions(server: ServerJSON, key?: string): ToolhiveExtensions | undefined {
  const blocks = toolhiveBlocks(server);
  const chosen = key !== undefined && key in blocks ? blocks[key] : Object.values(blocks)[0];
  return isPlainObject(chosen) ? (chosen as unknown as ToolhiveExtensions) : undefined;
}

/** The keys (image references or URLs) of a server's ToolHive blocks. */
export function toolhiveBlockKeys(server: ServerJSON): string[] {
  return Object.keys(toolhiveBlocks(server));
}

/** The tags ToolHive keeps for a server (from every block, without duplicates); filters use them. */
export function toolhiveTags(server: ServerJSON): string[] {
  const tags = new Set<string>();
  for (const block of Object.values(toolhiveBlocks(server))) {
    const blockTags = isPlainObject(block) ? block['tags'] : undefined;
    if (!Array.isArray(blockTags)) continue;
    for (const tag of blockTags) if (typeof tag === 'string') tags.add(tag);
  }
  return [...tags];
}

function toolhiveBlocks(server: ServerJSON): Record<string, unknown> {
  const publisher = server._meta?.[PUBLISHER_META_KEY];
  const namespace = isPlainObject(publisher) ? publisher[TOOLHIVE_META_NAMESPACE] : undefined;
  return isPlainObject(namespace) ? namespace : {};
}
