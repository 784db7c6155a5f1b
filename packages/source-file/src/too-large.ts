import { SourceError } from '@thv/registry-core';

/** The error for a document over `maxBytes`, worded the same for files and URLs. */
export function tooLargeError(what: string, maxBytes: number): SourceError {
  return new SourceError(`${what} is larger than maxBytes (${maxBytes} bytes)`);
}
