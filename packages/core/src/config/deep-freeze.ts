/**
 * Freezes a value and everything reachable from it, so a loaded configuration cannot be changed
 * by one component behind another's back.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
