import { InvalidParameterError } from '../errors.js';

/** The (name, version) key a list page ended at. */
export interface CursorKey {
  readonly name: string;
  readonly version: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Encodes the last returned key as an opaque, URL-safe cursor (base64url of a JSON pair). A key,
 * not an offset, so the next page stays correct when the catalog changes between requests.
 */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.name, key.version])).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; throws `InvalidParameterError` for anything else. */
export function decodeCursor(cursor: string): CursorKey {
  // Node's base64url decoder skips characters it does not know, so check the alphabet first.
  if (BASE64URL.test(cursor)) {
    const pair = parseJson(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(pair) && pair.length === 2 && pair.every((part) => typeof part === 'string')) {
      return { name: pair[0] as string, version: pair[1] as string };
    }
  }
  throw new InvalidParameterError('cursor is not a cursor returned by this API', {
    errors: [{ path: 'cursor', message: 'must be a nextCursor value from a previous page' }],
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
