import { isPlainObject } from '../config/config-path.js';
import { FormatError } from '../errors.js';
import type { DocumentFormat, FormatHint } from '../interfaces/model.js';

// How each format is named in messages.
const FORMAT_DESCRIPTIONS: Readonly<Record<DocumentFormat, string>> = {
  toolhive: 'a ToolHive registry (servers / remote_servers keyed by name)',
  'upstream-wrapped': 'an upstream registry file (data.servers)',
  'upstream-list': 'an MCP Registry API page (a servers array)',
  'upstream-array': 'an array of server.json documents',
};

/**
 * Tells which registry format a parsed JSON document is in, from its shape alone. Throws a
 * `FormatError` saying what was expected when it is none of them.
 */
export function detectFormat(document: unknown): DocumentFormat {
  if (Array.isArray(document)) return 'upstream-array';
  if (isPlainObject(document)) {
    if (isPlainObject(document['data']) && Array.isArray(document['data']['servers'])) return 'upstream-wrapped';
    if (Array.isArray(document['servers'])) return 'upstream-list';
    if (isPlainObject(document['servers']) || isPlainObject(document['remote_servers']) || Array.isArray(document['groups'])) {
      return 'toolhive';
    }
  }
  throw new FormatError(
    `unrecognised registry document: expected ${Object.values(FORMAT_DESCRIPTIONS).join(', or ')}; got ${describeValue(document)}`,
  );
}

/** Throws a `FormatError` when the configured format hint contradicts the detected format. */
export function assertFormatHint(format: DocumentFormat, hint: FormatHint | undefined): void {
  if (hint === undefined) return;
  const matches = hint === 'toolhive' ? format === 'toolhive' : format !== 'toolhive';
  if (!matches) throw new FormatError(`the source format is "${hint}" but the document is ${FORMAT_DESCRIPTIONS[format]}`);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 8).join(', ')}`;
  }
  return `a ${typeof value}`;
}
