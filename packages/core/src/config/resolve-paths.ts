import { isAbsolute, resolve } from 'node:path';

/** A file path from the config: relative paths are relative to the config file's directory. */
export function resolveFilePath(configDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(configDir, path);
}

// `./x`, `../x`, `.` and `..`, with either separator.
const RELATIVE = /^\.\.?(?:[\\/]|$)/;

/**
 * A `plugin:` value: a relative path (`./my-source.js`) becomes absolute against the config
 * file's directory; a package name (`@acme/thv-source-x`) or an absolute path is kept as is, for
 * the plugin loader to resolve.
 */
export function resolvePluginSpecifier(configDir: string, specifier: string): string {
  return RELATIVE.test(specifier) ? resolve(configDir, specifier) : specifier;
}
