/**
 * A copy of `record` without the values Go's `omitempty` leaves out of JSON: undefined, empty
 * strings, 0, false and empty arrays. ToolHive writes its documents that way, so building ours the
 * same way keeps conversions identical to ToolHive's.
 */
export function omitEmpty<T extends Record<string, unknown>>(record: T): Partial<T> {
  const kept: Partial<T> = {};
  for (const key of Object.keys(record) as (keyof T)[]) {
    if (!isEmpty(record[key])) kept[key] = record[key];
  }
  return kept;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
}
