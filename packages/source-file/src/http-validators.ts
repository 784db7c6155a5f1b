import type { JsonValue } from '@thv/registry-core';

/** HTTP cache validators of the last response, kept as source state between fetches. */
export interface HttpValidators {
  etag?: string;
  lastModified?: string;
}

/** Reads validators back from a previous source state; anything else yields none. */
export function validatorsFromState(state: JsonValue | undefined): HttpValidators {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return {};
  const validators: HttpValidators = {};
  if (typeof state.etag === 'string') validators.etag = state.etag;
  if (typeof state.lastModified === 'string') validators.lastModified = state.lastModified;
  return validators;
}

/** The validators of a response, or undefined when it has none. */
export function validatorsFromHeaders(headers: Headers): HttpValidators | undefined {
  const etag = headers.get('etag');
  const lastModified = headers.get('last-modified');
  if (etag === null && lastModified === null) return undefined;
  return { ...(etag !== null && { etag }), ...(lastModified !== null && { lastModified }) };
}

/** Conditional request headers for the given validators. */
export function conditionalHeaders(validators: HttpValidators): Record<string, string> {
  return {
    ...(validators.etag !== undefined && { 'if-none-match': validators.etag }),
    ...(validators.lastModified !== undefined && { 'if-modified-since': validators.lastModified }),
  };
}
