import { ConfigError, PluginContractError, PluginLoadError, PluginNotFoundError } from '@thv/registry-core/host';

/** Exit codes of every command: 0 ok, 1 runtime failure, 2 bad usage or bad configuration. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;

/** Bad configuration includes a plugin that is missing or broken: the operator must fix the config or install. */
export function exitCodeFor(error: unknown): number {
  const badConfig =
    error instanceof ConfigError ||
    error instanceof PluginNotFoundError ||
    error instanceof PluginLoadError ||
    error instanceof PluginContractError;
  return badConfig ? ExitCode.usage : ExitCode.failure;
}
