import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { toolhiveMeta } from '../../src/formats/toolhive-meta.js';
import type { ServerJSON, ServerStatus, StoredEntry } from '../../src/interfaces/model.js';
import { hashValue } from '../../src/util/hash.js';

/** Fields of a hand-made entry; everything but name and version has a default. */
export interface EntryFields {
  name: string;
  version: string;
  title?: string;
  description?: string;
  tags?: readonly string[];
  status?: ServerStatus;
  statusMessage?: string;
  publishedAt?: string;
  updatedAt?: string;
}

const EPOCH = Date.UTC(2025, 0, 1);

/** One stored entry with sensible defaults; `tags` go where ToolHive keeps them. */
export function storedEntry(fields: EntryFields): StoredEntry {
  const server: ServerJSON = {
    name: fields.name,
    version: fields.version,
    description: fields.description ?? `${fields.name} server`,
    ...(fields.title === undefined ? {} : { title: fields.title }),
    ...(fields.tags === undefined
      ? {}
      : { _meta: toolhiveMeta(`ghcr.io/${fields.name}`, { status: 'Active', tags: [...fields.tags] }) }),
  };
  const publishedAt = fields.publishedAt ?? new Date(EPOCH).toISOString();
  const status = fields.status ?? 'active';
  return {
    server,
    status,
    ...(fields.statusMessage === undefined ? {} : { statusMessage: fields.statusMessage }),
    publishedAt,
    updatedAt: fields.updatedAt ?? publishedAt,
    statusChangedAt: publishedAt,
    contentHash: hashValue([server, status]),
  };
}

/** Shape of a generated catalog. */
export interface GenerateOptions {
  servers: number;
  versionsPerServer: number;
  /** Every n-th generated version is deleted; 0 (the default) deletes none. */
  deletedEvery?: number;
  /** Seeds the word choice and the output order; equal options give equal output. */
  seed?: number;
  /** Name prefix, so two generated registries can overlap or not. Default `io.github.gen`. */
  namespace?: string;
}

const WORDS = ['alpha', 'bravo', 'Cloud', 'data', 'Echo', 'files', 'git', 'Kube', 'mail', 'search', 'Slack', 'weather'];
const TAGS = ['production', 'experimental', 'database', 'web'];

/**
 * A deterministic catalog of `servers × versionsPerServer` entries in shuffled order. Versions are
 * semver (`1.0.0`, `1.1.0`, …); titles and descriptions carry words from a fixed list in mixed
 * case for search tests; each entry has one ToolHive tag; times increase with the version.
 */
export function generateEntries(options: GenerateOptions): StoredEntry[] {
  // Seeded, so generated data is the same on every run.
  const generator = xoroshiro128plus(options.seed ?? 1);
  const random = () => uniformFloat64(generator);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const namespace = options.namespace ?? 'io.github.gen';
  const deletedEvery = options.deletedEvery ?? 0;
  const entries: StoredEntry[] = [];
  for (let s = 0; s < options.servers; s++) {
    const name = `${namespace}/server-${String(s).padStart(5, '0')}`;
    const title = `${pick(WORDS)} ${pick(WORDS)}`;
    for (let v = 0; v < options.versionsPerServer; v++) {
      const count = entries.length + 1;
      const at = new Date(EPOCH + (s * options.versionsPerServer + v) * 60_000).toISOString();
      entries.push(
        storedEntry({
          name,
          version: `1.${v}.0`,
          title,
          description: `Talks to ${pick(WORDS)} and ${pick(WORDS)}`,
          tags: [pick(TAGS)],
          status: deletedEvery > 0 && count % deletedEvery === 0 ? 'deleted' : 'active',
          publishedAt: at,
          updatedAt: at,
        }),
      );
    }
  }
  return shuffle(entries, random);
}

/** Fisher–Yates with the seeded generator. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
