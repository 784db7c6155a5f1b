import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** A package.json `exports` value (string, conditions object or subpath map). */
type ExportsValue = string | null | ExportsValue[] | { [key: string]: ExportsValue };

const CONDITIONS = ['import', 'node', 'default'] as const;

/**
 * Finds the directory of an installed package by walking up `node_modules` folders from `fromDir`,
 * as Node does. Done by hand rather than with `require.resolve` because ESM-only plugins often
 * export no `require` condition, which makes `require.resolve` fail although the package is there.
 */
export function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The ESM entry file of a package directory: `exports["."]` (import/node/default), `module`, `main`, `index.js`. */
export function packageEntry(packageDir: string): string {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: ExportsValue;
    module?: string;
    main?: string;
  };
  const fromExports = manifest.exports === undefined ? undefined : pickExport(rootExport(manifest.exports));
  const relative = fromExports ?? manifest.module ?? manifest.main ?? 'index.js';
  return join(packageDir, relative);
}

function rootExport(exports: ExportsValue): ExportsValue {
  if (exports !== null && typeof exports === 'object' && !Array.isArray(exports) && '.' in exports) {
    return exports['.'] as ExportsValue;
  }
  return exports;
}

function pickExport(value: ExportsValue): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const picked = pickExport(item);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
  for (const condition of CONDITIONS) {
    if (condition in value) {
      const picked = pickExport(value[condition] as ExportsValue);
      if (picked !== undefined) return picked;
    }
  }
  return undefined;
}

/** True for a specifier that names a file or directory rather than a package. */
export function isPathSpecifier(specifier: string): boolean {
  return isAbsolute(specifier) || specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('file:');
}

/** The entry file for a path specifier: a file as is, a directory through its package.json. */
export function pathEntry(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  return statSync(path).isDirectory() ? packageEntry(path) : path;
}
