import { createHash } from 'node:crypto';
import { parseJsonDocument, type Logger, type SourceFetchRequest, type SourceFetchResult, type SourceHandler } from '@thv/registry-core';
import type { DocumentReader } from './document-reader.js';

/**
 * The `file` source: one JSON registry document, fingerprinted by the sha256 of its bytes so an
 * unchanged document is neither parsed nor committed again.
 */
export class FileSource implements SourceHandler {
  readonly #reader: DocumentReader;
  readonly #logger: Logger;

  constructor(reader: DocumentReader, logger: Logger) {
    this.#reader = reader;
    this.#logger = logger;
  }

  /** `file <absolute path>` or `file <url without credentials>`. */
  describe(): string {
    return `file ${this.#reader.origin}`;
  }

  /** Reads the document; answers `unchanged` when allowed and the bytes (or the HTTP validators) say so. */
  async fetch(request: SourceFetchRequest): Promise<SourceFetchResult> {
    const { bytes, state } = await this.#reader.read(request);
    const withState = state === undefined ? {} : { state };
    if (bytes === undefined) {
      this.#logger.debug({ source: this.#reader.origin }, 'registry document not modified');
      return { unchanged: true, ...withState };
    }
    const fingerprint = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (request.allowUnchanged && fingerprint === request.previous?.fingerprint) {
      this.#logger.debug({ source: this.#reader.origin, fingerprint }, 'registry document unchanged');
      return { unchanged: true, ...withState };
    }
    const document = parseJsonDocument(bytes, `registry document ${this.#reader.origin}`);
    this.#logger.debug({ source: this.#reader.origin, bytes: bytes.length, fingerprint }, 'registry document read');
    return { documents: [document], fingerprint, ...withState };
  }
}
