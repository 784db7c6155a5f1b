/**
 * Config paths as users read them: `registries[1].source.git.branch`. Every error detail about the
 * configuration (core's own part and each plugin's block) is named this way.
 */

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * Appends one step to a config path: a number is an array index (`a[1]`), a plain key is dotted
 * (`a.b`), and any other key is quoted (`a["io.github.x"]`) so the path stays unambiguous.
 */
export function joinConfigPath(base: string, step: string | number): string {
  if (typeof step === 'number') return `${base}[${step}]`;
  if (!PLAIN_KEY.test(step)) return `${base}[${JSON.stringify(step)}]`;
  return base === '' ? step : `${base}.${step}`;
}

/**
 * Turns a JSON pointer into a config path below `base`. The value it points into tells array
 * indexes from object keys that happen to be numeric.
 */
export function pointerToConfigPath(pointer: string, value: unknown, base: string): string {
  if (pointer === '') return base;
  let path = base;
  let node = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path = joinConfigPath(path, Number(key));
      node = node[Number(key)];
    } else {
      path = joinConfigPath(path, key);
      node = isPlainObject(node) ? node[key] : undefined;
    }
  }
  return path;
}

/** True for an object that came from a YAML or JSON mapping (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
