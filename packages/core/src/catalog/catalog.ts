import { NotFoundError } from '../errors.js';
import type { CatalogReader, CatalogView } from '../interfaces/catalog.js';
import type { StoredEntry } from '../interfaces/model.js';
import { compareKeys } from './byte-order.js';
import { CatalogRow } from './row.js';
import { View } from './view.js';

/** One registry's rows, sorted and unique, and its view. */
interface RegistryData {
  readonly rows: readonly CatalogRow[];
  readonly view: View;
}

const EMPTY: RegistryData = { rows: [], view: new View([]) };

/**
 * The in-memory catalog every read is served from: one view per configured registry and an
 * aggregated view of all of them. Each {@link Catalog.setRegistry} rebuilds that registry's view and
 * the aggregated one; views are immutable, so a request holding a view never sees a half-built one.
 */
export class Catalog implements CatalogReader {
  readonly #names: readonly string[];
  readonly #registries = new Map<string, RegistryData>();
  #aggregated: View = EMPTY.view;

  /** @param registryNames the configured registries, in precedence order. */
  constructor(registryNames: readonly string[]) {
    this.#names = [...registryNames];
  }

  /**
   * Replaces the entries of one registry. Within it, the first entry of a (name, version) wins; in
   * the aggregated view, the registry listed first wins. Throws `NotFoundError` for a registry that
   * is not configured.
   */
  setRegistry(name: string, entries: readonly StoredEntry[]): void {
    if (!this.#names.includes(name)) throw new NotFoundError(`registry "${name}" is not configured`);
    const texts = new Map<string, string>();
    const rows = uniqueSorted(entries.map((entry) => new CatalogRow(entry, texts)));
    const view = new View(rows);
    this.#registries.set(name, { rows, view });
    const filled = this.#names.map((registry) => this.#data(registry)).filter((data) => data.rows.length > 0);
    // One registry with rows (the usual single-registry config): the aggregated view holds exactly
    // its rows, so it is the same view rather than a second copy built from them.
    const [only] = filled;
    this.#aggregated =
      filled.length === 1 && only !== undefined
        ? only.view
        : // Concatenated in precedence order, so the stable sort keeps the first registry's row first.
          new View(uniqueSorted(filled.flatMap((data) => data.rows)));
  }

  /** True once {@link Catalog.setRegistry} was called for the registry, even with no entries. */
  hasData(name: string): boolean {
    return this.#registries.has(name);
  }

  aggregated(): CatalogView {
    return this.#aggregated;
  }

  registry(name: string): CatalogView | undefined {
    return this.#names.includes(name) ? this.#data(name).view : undefined;
  }

  registryNames(): readonly string[] {
    return this.#names;
  }

  #data(name: string): RegistryData {
    return this.#registries.get(name) ?? EMPTY;
  }
}

/** Sorts rows by (name, version) in byte order and keeps the first row of each key. */
function uniqueSorted(rows: CatalogRow[]): CatalogRow[] {
  // Array.prototype.sort is stable, and merges already-sorted runs in about linear time.
  rows.sort((a, b) => compareKeys(a.name, a.version, b.name, b.version));
  return rows.filter((row, i) => {
    const previous = rows[i - 1];
    return previous === undefined || previous.name !== row.name || previous.version !== row.version;
  });
}
