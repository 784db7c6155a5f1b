import type { JsonValue, SourceFetchRequest } from '@thv/registry-core';

/** What one read of the registry document produced. */
export interface Retrieval {
  /** The document's bytes; absent when the origin said it has not changed (HTTP 304). */
  bytes?: Uint8Array;
  /** State to keep for the next read (HTTP validators). */
  state?: JsonValue;
}

/** Reads the raw registry document from one origin (a file or a URL). */
export interface DocumentReader {
  /** Where the document comes from, safe to show: an absolute path or a URL without credentials. */
  readonly origin: string;
  read(request: SourceFetchRequest): Promise<Retrieval>;
}
