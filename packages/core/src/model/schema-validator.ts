import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';

/** The outcome of checking a value against a schema: the value, typed, or why it failed. */
export type SchemaCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

// One instance for every document schema: draft-07 (ajv's default) with the standard formats.
// `example` is the only non-standard annotation the server.json schema uses; declaring it keeps
// strict mode on for everything else. verbose: errors then carry the data and schema at fault,
// which the wording below needs.
const ajv = new Ajv({ verbose: true });
ajv.addKeyword('example');
formatsPlugin.default(ajv);

/**
 * Compiles a draft-07 schema once and returns a checker. The checker stops at the first problem
 * and words it with the JSON pointer of the field at fault, e.g.
 * `/description must NOT have more than 100 characters`. The value is never modified.
 */
export function compileChecker<T>(schema: AnySchema): (value: unknown) => SchemaCheck<T> {
  const validate = ajv.compile(schema);
  const baseId = typeof schema === 'object' && typeof schema.$id === 'string' ? schema.$id : '';
  return (value) => {
    if (validate(value)) return { ok: true, value: value as T };
    return { ok: false, reason: explain(validate.errors ?? [], baseId, '') };
  };
}

// A failed `anyOf` of `type`-discriminated definitions (transports, arguments) would otherwise be
// reported through its first branch, whatever the value's `type`: explain the branch it meant.
function explain(errors: ErrorObject[], baseId: string, pathPrefix: string): string {
  const last = errors.at(-1);
  if (last?.keyword === 'anyOf') {
    const branch = intendedBranch(last, baseId);
    if (branch !== undefined && !branch(last.data)) {
      return explain(branch.errors ?? [], baseId, pathPrefix + last.instancePath);
    }
  }
  const [first] = errors;
  return first === undefined ? 'does not match the schema' : reasonOf(first, pathPrefix);
}

function intendedBranch(error: ErrorObject, baseId: string): ValidateFunction | undefined {
  const type = (error.data as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Array.isArray(error.schema)) return undefined;
  for (const branch of error.schema as { $ref?: unknown }[]) {
    if (typeof branch.$ref !== 'string') continue;
    const validate = ajv.getSchema(baseId + branch.$ref);
    if (validate !== undefined && allowedTypes(validate.schema).includes(type)) return validate;
  }
  return undefined;
}

// The values a definition allows for `type`, directly or in one of its `allOf` parts.
function allowedTypes(schema: unknown): unknown[] {
  const node = schema as { properties?: { type?: { enum?: unknown[] } }; allOf?: unknown[] };
  return [...(node.properties?.type?.enum ?? []), ...(node.allOf ?? []).flatMap(allowedTypes)];
}

function reasonOf(error: ErrorObject, pathPrefix: string): string {
  const path = pathPrefix + error.instancePath;
  const field = path === '' ? 'the entry' : path;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${path}/${String(params['missingProperty'])} is required`;
    case 'not': {
      // The only negation in these schemas forbids one constant (a package version of "latest").
      const negated = (error.schema as { const?: unknown } | undefined)?.const;
      return negated === undefined ? `${field} ${error.message}` : `${field} must not be ${JSON.stringify(negated)}`;
    }
    default:
      return `${field} ${error.message ?? `fails "${error.keyword}"`}`;
  }
}
