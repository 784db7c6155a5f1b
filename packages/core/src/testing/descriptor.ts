import type { JSONSchema } from 'json-schema-to-ts';
import { formatErrorDetail } from '../config/config-error.js';
import { validateBlock } from '../config/validate-block.js';
import { PLUGIN_API_VERSION, type AnyPlugin, type PluginKind } from '../plugins/define.js';
import type { CheckRecorder } from './report.js';
import { describeError } from './report.js';

/** Package names are lower case; a type that cannot be part of one cannot be installed by name. */
const PACKAGEABLE_TYPE = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * The plugin descriptor, accepting a module namespace too (`await import('pkg')`), since that is
 * what authors often have at hand. Undefined when it is neither.
 */
export function unwrapPlugin(value: unknown): Partial<AnyPlugin> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (!('kind' in record) && 'default' in record) return unwrapPlugin(record['default']);
  return record as Partial<AnyPlugin>;
}

/**
 * The `descriptor` check: what the loader verifies before using a plugin (kind, type, plugin API
 * version, configSchema, create), plus a warning for a descriptor not made by the define helper
 * (not frozen) or a type that cannot appear in a package name. Stops the run on failure.
 */
export function checkDescriptor(recorder: CheckRecorder, kind: PluginKind, value: unknown): AnyPlugin | undefined {
  const define = kind === 'source' ? 'defineSourcePlugin' : 'defineStoragePlugin';
  const plugin = unwrapPlugin(value);
  const problems: string[] = [];
  if (plugin === undefined) {
    recorder.stop('descriptor', `expected the plugin object (export default ${define}({ … })), got ${typeof value}`);
    return undefined;
  }
  if (plugin.kind !== kind) problems.push(`kind is ${JSON.stringify(plugin.kind)}, not "${kind}"`);
  if (plugin.apiVersion !== PLUGIN_API_VERSION) {
    problems.push(`apiVersion is ${JSON.stringify(plugin.apiVersion)}; this core supports ${PLUGIN_API_VERSION}`);
  }
  if (typeof plugin.type !== 'string' || plugin.type === '') problems.push('type is not a non-empty string');
  if (plugin.configSchema === null || typeof plugin.configSchema !== 'object') problems.push('configSchema is not an object');
  if (typeof plugin.create !== 'function') problems.push('create is not a function');
  if (problems.length > 0) {
    recorder.stop('descriptor', `${problems.join('; ')} (make it with ${define}())`);
    return undefined;
  }
  const complete = plugin as AnyPlugin;
  const summary = `kind ${kind}, type "${complete.type}", plugin API ${complete.apiVersion}`;
  if (!Object.isFrozen(complete)) {
    recorder.add('descriptor', 'warn', `${summary}, but not frozen: was it made with ${define}()?`);
  } else if (!PACKAGEABLE_TYPE.test(complete.type)) {
    recorder.add('descriptor', 'warn', `${summary}, but the type cannot be part of a package name (use lower case letters, digits, "-", "_", ".")`);
  } else {
    recorder.add('descriptor', 'pass', summary);
  }
  return complete;
}

/**
 * The `config schema` check: the schema compiles and accepts `config`, with core's validator (the
 * one the loader uses, ajv-errors included). Problems are named from `basePath`. Stops the run on failure.
 */
export function checkConfigSchema(recorder: CheckRecorder, schema: JSONSchema, config: unknown, basePath: string): boolean {
  let errors;
  try {
    errors = validateBlock(schema, config, basePath);
  } catch (error) {
    recorder.stop('config schema', `the schema does not compile: ${describeError(error)}`, error);
    return false;
  }
  if (errors.length > 0) {
    recorder.stop('config schema', `rejects the given config: ${errors.map(formatErrorDetail).join('; ')}`);
    return false;
  }
  recorder.add('config schema', 'pass', 'compiles and accepts the given config');
  return true;
}

/**
 * The `create` check: `create(config, context)` resolves to an object with every method in
 * `methods`. Returns it, or undefined (and stops the run).
 */
export async function checkCreate<T>(
  recorder: CheckRecorder,
  plugin: AnyPlugin,
  config: unknown,
  context: unknown,
  methods: readonly string[],
): Promise<T | undefined> {
  let created: unknown;
  try {
    // A copy, as the loader passes one: a plugin may not rely on keeping the caller's object.
    created = await (plugin.create as (config: unknown, context: unknown) => unknown)(structuredClone(config), context);
  } catch (error) {
    recorder.stop('create', `threw ${describeError(error)}`, error);
    return undefined;
  }
  const missing = methods.filter((name) => typeof (created as Record<string, unknown> | null)?.[name] !== 'function');
  if (missing.length > 0) {
    recorder.stop('create', `returned an object without ${missing.join(', ')}`);
    return undefined;
  }
  recorder.add('create', 'pass', `returned an object with ${methods.join(', ')}`);
  return created as T;
}
