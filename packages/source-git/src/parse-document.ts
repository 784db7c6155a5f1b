import { SourceError } from '@thv/registry-core';
import { jsonErrorOffset } from './json-error-offset.js';

/** Parses a registry document; a failure names the file (`what`) and where the parser stopped. */
export function parseDocument(bytes: Uint8Array, what: string): unknown {
  // Editors on some platforms save UTF-8 with a byte order mark, which JSON.parse rejects.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new SourceError(`${what} is empty`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SourceError(`${what} is not valid JSON: ${describeSyntaxError(err, text)}`, { cause: err });
  }
}

/** The parser's message on one line, with the line and column of the error. */
function describeSyntaxError(err: unknown, text: string): string {
  // V8 quotes part of the document in some messages, newlines included.
  const message = (err as Error).message.replace(/\s+/g, ' ');
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
