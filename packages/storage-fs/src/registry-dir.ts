import { StorageError } from '@thv/registry-core';

/**
 * The directory name of a registry: its name percent-encoded, so `/`, `\`, `:` and non-ASCII
 * characters cannot escape or clash. `.` and `..` survive encodeURIComponent, so they are encoded
 * by hand.
 */
export function registryDirName(registry: string): string {
  if (registry === '') throw new StorageError('registry name must not be empty');
  let encoded: string;
  try {
    encoded = encodeURIComponent(registry);
  } catch (err) {
    throw new StorageError('registry name is not valid Unicode (lone surrogate)', { cause: err });
  }
  return encoded === '.' || encoded === '..' ? encoded.replaceAll('.', '%2E') : encoded;
}
