import { serverListJson } from '../http/server-list.js';
import type { CatalogView } from '../interfaces/catalog.js';
import { everyEntry, type ExportSkip } from './catalog-entries.js';

/** The file every directory of a static export answers with. */
export const STATIC_INDEX_FILE = 'index.json';

/** One file of a static export. */
export interface StaticFile {
  /** Relative path, `/`-separated, e.g. `v0.1/servers/index.json`. */
  path: string;
  /** The exact body the API serves at the matching URL. */
  body: string;
}

/** The result of {@link exportStaticSite}. */
export interface StaticSite {
  files: StaticFile[];
  /** Servers with at least one non-deleted version. */
  servers: number;
  /** Non-deleted versions. */
  versions: number;
  /** Versions (or whole servers) that have no detail file; they are still in the lists. */
  skipped: ExportSkip[];
}

/**
 * A view as a tree of files for a static web server, one `index.json` per API path:
 *
 * - `v0.1/servers/index.json`: every non-deleted version as one page (no `nextCursor`);
 * - `v0.1/servers/<namespace>/<name>/versions/index.json`: the versions of a server, newest first;
 * - `v0.1/servers/<namespace>/<name>/versions/<version>/index.json`: one version;
 * - `v0.1/servers/<namespace>/<name>/versions/latest/index.json`: the latest version.
 *
 * The name `namespace/name` is one percent-encoded path segment in a URL
 * (`/v0.1/servers/io.github.acme%2Fweather/versions`); static web servers decode `%2F` into `/`
 * before they look for a file, so the tree has a directory per part of the name. Bodies are the
 * catalog's precomputed JSON joined as the API joins it, so each file is byte for byte the
 * answer of `/registry/<registry>/v0.1/…` for the same path. A name or version that cannot be a
 * directory name (`..`, `index.json`, a `/` in a version, `latest` as a version, more than 255
 * bytes) gets no detail file and is reported in `skipped`.
 */
export function exportStaticSite(view: CatalogView): StaticSite {
  const listed = everyEntry(view);
  const files: StaticFile[] = [{ path: 'v0.1/servers/index.json', body: serverListJson(listed) }];
  const skipped: ExportSkip[] = [];
  const latestOfEach = everyEntry(view, 'latest');
  for (const latest of latestOfEach) {
    const { name } = latest;
    const versions = view.versions(name, false) ?? [];
    const problem = name.split('/').map(segmentProblem).find((reason) => reason !== undefined);
    if (problem !== undefined) {
      skipped.push({ name, reason: `no files for this server: a part of its name ${problem}` });
      continue;
    }
    const dir = `v0.1/servers/${name}/versions`;
    files.push({ path: `${dir}/${STATIC_INDEX_FILE}`, body: serverListJson(versions) });
    files.push({ path: `${dir}/latest/${STATIC_INDEX_FILE}`, body: latest.json });
    for (const entry of versions) {
      const reason = entry.version === 'latest' ? 'is the alias of the latest version' : segmentProblem(entry.version);
      if (reason === undefined) files.push({ path: `${dir}/${entry.version}/${STATIC_INDEX_FILE}`, body: entry.json });
      else skipped.push({ name, version: entry.version, reason: `no file for this version: the version ${reason}` });
    }
  }
  return { files, servers: latestOfEach.length, versions: listed.length, skipped };
}

/** Why a name part or version cannot be one directory name on every file system, if it cannot. */
function segmentProblem(segment: string): string | undefined {
  if (segment === '' || segment === '.' || segment === '..') return `is "${segment}"`;
  if (/[/\\\0]/.test(segment)) return 'contains "/", "\\" or NUL';
  if (segment === STATIC_INDEX_FILE) return `is "${STATIC_INDEX_FILE}", the name of the index files`;
  if (Buffer.byteLength(segment) > 255) return 'is longer than 255 bytes';
  return undefined;
}
