/** A copy of `record` without its undefined values, so that optional fields stay absent in JSON. */
export function omitUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
