import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvErrors from 'ajv-errors';
import formatsPlugin from 'ajv-formats';
import type { JSONSchema } from 'json-schema-to-ts';
import type { ErrorDetail } from '../errors.js';
import { isPlainObject, joinConfigPath, pointerToConfigPath } from './config-path.js';
import { unknownKeyMessage } from './suggest.js';

// strict off: third-party plugin schemas may carry annotations ajv does not know (`x-*`, titles in
// other vocabularies). addUsedSchema off: two plugins (or two copies of one) may share a `$id`.
// verbose on: an `additionalProperties` error then carries the schema whose keys we suggest from.
// allErrors on: every problem at once; ajv-errors needs it for the `errorMessage` keyword.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, addUsedSchema: false });
formatsPlugin.default(ajv);
ajvErrors.default(ajv);

const validators = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: JSONSchema): ValidateFunction {
  // Boolean schemas cannot be WeakMap keys; compiling `true`/`false` is trivial anyway.
  if (typeof schema === 'boolean') return ajv.compile(schema);
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema as AnySchema);
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * Validates one configuration block against a JSON schema (draft-07, with ajv-formats) and returns
 * every problem, each named by its config path below `basePath` (e.g. `registries[1].source.git`
 * + `/branch` → `registries[1].source.git.branch`). Unknown keys get the closest known key as a
 * hint. Messages never quote the offending value, so a misplaced secret is not echoed back.
 *
 * A schema may word its own messages with the `errorMessage` keyword of
 * [ajv-errors](https://github.com/ajv-validator/ajv-errors): a string replaces every error raised
 * in that (sub)schema with one message at its path, an object words single keywords
 * (`{ required: 'needs a path' }`). Such a message is shown as written, so do not interpolate
 * values (`${/password}`) into it.
 *
 * Compiled validators are cached per schema object. The value is not modified (no defaults are
 * filled in). Throws the ajv error if the schema itself is invalid.
 */
export function validateBlock(schema: JSONSchema, value: unknown, basePath: string): ErrorDetail[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  const details = (validate.errors ?? []).map((error) => toDetail(error, value, basePath));
  return uniqueDetails(details);
}

function toDetail(error: ErrorObject, value: unknown, basePath: string): ErrorDetail {
  const path = pointerToConfigPath(error.instancePath, value, basePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: joinConfigPath(path, String(params['missingProperty'])), message: 'is required' };
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      return { path: joinConfigPath(path, key), message: unknownKeyMessage(key, knownKeys(error.parentSchema)) };
    }
    case 'enum':
      return { path, message: `must be one of ${(params['allowedValues'] as unknown[]).map(quote).join(', ')}` };
    case 'const':
      return { path, message: `must be ${quote(params['allowedValue'])}` };
    default:
      return { path, message: error.message ?? `fails "${error.keyword}"` };
  }
}

function knownKeys(schema: unknown): string[] {
  if (!isPlainObject(schema) || !isPlainObject(schema['properties'])) return [];
  return Object.keys(schema['properties']);
}

function quote(value: unknown): string {
  return JSON.stringify(value);
}

// allErrors can report the same problem twice (e.g. from two anyOf branches).
function uniqueDetails(details: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return details.filter((detail) => {
    const key = `${detail.path}\u0000${detail.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
