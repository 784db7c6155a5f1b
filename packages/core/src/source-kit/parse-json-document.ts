import { SourceError } from '../errors.js';
import { jsonErrorOffset } from './json-error-offset.js';

// ignoreBOM keeps a byte order mark in the text, so it is stripped below exactly as for a string.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Parser messages longer than this are cut: V8 quotes part of the document in some of them. */
const MAX_MESSAGE_LENGTH = 160;

/**
 * Parses a JSON document a source read (a file, a response body, a blob), for a source plugin.
 *
 * The bytes are decoded as UTF-8 and a leading byte order mark is dropped (editors on some
 * platforms save one, and `JSON.parse` rejects it). A blank document or invalid JSON is a
 * `SourceError` that starts with `what`: `<what> is empty`, or
 * `<what> is not valid JSON: <parser message> (line L, column C)`.
 *
 * @param input - The document's bytes, or its text.
 * @param what - How messages name the document, e.g. `registry document /srv/registry.json`.
 *   Do not include credentials.
 * @returns The parsed value (not checked any further).
 * @throws {@link SourceError} when the document is empty or not valid JSON; the parser's error is its `cause`.
 */
export function parseJsonDocument(input: Uint8Array | string, what: string): unknown {
  const text = (typeof input === 'string' ? input : utf8.decode(input)).replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new SourceError(`${what} is empty`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SourceError(`${what} is not valid JSON: ${describeJsonSyntaxError(err, text)}`, { cause: err });
  }
}

/**
 * Words the error `JSON.parse(text)` threw for a message: the parser's message on one short line,
 * followed by the line and column (1-based) of the first syntax error in `text` when it can be
 * found, e.g. `Unexpected token '}', "{"a":}" is not valid JSON (line 1, column 6)`.
 *
 * Use it when a source words the failure itself; {@link parseJsonDocument} already does for a
 * whole document.
 *
 * @param err - What `JSON.parse` threw.
 * @param text - The text given to `JSON.parse`.
 */
export function describeJsonSyntaxError(err: unknown, text: string): string {
  // V8 quotes part of the text in some messages, newlines included.
  const oneLine = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
  const message = oneLine.length > MAX_MESSAGE_LENGTH ? `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : oneLine;
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
