import { isPlainObject } from '../config/config-path.js';
import type { OfficialMeta } from '../interfaces/model.js';
import type { Candidate } from './candidate.js';
import { checkImageEntry, checkRemoteEntry } from './toolhive-shape.js';
import { imageEntryToServer, remoteEntryToServer } from './toolhive-to-server.js';

/**
 * The entries of a ToolHive legacy document converted to server.json: `servers`, `remote_servers`,
 * then those of each group (a group repeating a top-level server converts to the same document,
 * which the caller drops as a duplicate). An entry without the structure the converters need is a
 * candidate with a reason.
 */
export function toolhiveCandidates(document: Record<string, unknown>): Candidate[] {
  const candidates = sectionCandidates(document, '');
  const groups = document['groups'];
  if (groups === undefined) return candidates;
  if (!Array.isArray(groups)) return [...candidates, { label: 'groups', reason: 'groups must be an array' }];
  groups.forEach((group, index) => {
    const path = `groups[${index}]`;
    if (isPlainObject(group)) candidates.push(...sectionCandidates(group, `${path}.`));
    else candidates.push({ label: path, reason: `${path} must be an object` });
  });
  return candidates;
}

function sectionCandidates(section: Record<string, unknown>, pathPrefix: string): Candidate[] {
  return [
    ...keyedCandidates(section['servers'], `${pathPrefix}servers`, (key, value) => {
      const checked = checkImageEntry(value);
      return checked.ok
        ? { label: key, server: imageEntryToServer(key, checked.value), ...lifecycle(checked.value) }
        : { label: key, reason: checked.reason };
    }),
    ...keyedCandidates(section['remote_servers'], `${pathPrefix}remote_servers`, (key, value) => {
      const checked = checkRemoteEntry(value);
      return checked.ok
        ? { label: key, server: remoteEntryToServer(key, checked.value), ...lifecycle(checked.value) }
        : { label: key, reason: checked.reason };
    }),
  ];
}

/**
 * A ToolHive `Deprecated` entry is served with the official `deprecated` status, so clients of
 * the official API see it; ToolHive's own status stays in its metadata block as well.
 */
function lifecycle(entry: { status?: string }): { official?: Partial<OfficialMeta> } {
  return entry.status?.toLowerCase() === 'deprecated' ? { official: { status: 'deprecated' } } : {};
}

function keyedCandidates(
  entries: unknown,
  path: string,
  convert: (key: string, value: unknown) => Candidate,
): Candidate[] {
  if (entries === undefined) return [];
  if (!isPlainObject(entries)) return [{ label: path, reason: `${path} must be an object keyed by server name` }];
  return Object.entries(entries).map(([key, value]) => convert(key, value));
}
