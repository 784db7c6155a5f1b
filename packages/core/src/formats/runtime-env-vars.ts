import type { Argument, Input } from '../model/server-json.js';
import { omitEmpty } from './omit-empty.js';
import type { ToolhiveEnvVar } from './toolhive-types.js';

/**
 * Environment variables a package passes as container runtime flags (`-e KEY=value` or
 * `--env KEY={token}`), as ToolHive reads them: a `{variable}` value takes required/secret/default
 * from that variable, any other value becomes the default.
 */
export function envVarsFromRuntimeArguments(args: Argument[] | undefined): ToolhiveEnvVar[] {
  const envVars: ToolhiveEnvVar[] = [];
  for (const arg of args ?? []) {
    if (arg.type !== 'named' || (arg.name !== '-e' && arg.name !== '--env')) continue;
    const value = typeof arg.value === 'string' ? arg.value : '';
    const equals = value.indexOf('=');
    if (equals <= 0) continue;
    const assigned = value.slice(equals + 1);
    const variable = /^\{(.+)\}$/.exec(assigned)?.[1];
    const input: Input | undefined = variable === undefined ? undefined : arg.variables?.[variable];
    envVars.push({
      name: value.slice(0, equals),
      description: arg.description ?? '',
      required: arg.isRequired ?? false,
      ...omitEmpty({
        secret: input?.isSecret,
        default: variable === undefined ? assigned : input?.default,
      }),
    });
  }
  return envVars;
}
