import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { formatErrorDetail, isRegistryError, loadConfig, type Config } from '@thv/registry-core/host';
import type { Logger } from 'pino';
import { exitCodeFor } from './exit-codes.js';
import { createLogger, LOG_LEVELS, type LogDestination } from './logger.js';

/** Directory of the CLI's own install: the last place plugin packages are looked for. */
export const CLI_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

/**
 * Flags and error handling shared by every command that reads a config: `--config`, `--log-level`,
 * and one mapping of failures to messages and exit codes (2 for bad usage or configuration, 1 for
 * a runtime failure), so no command prints a stack trace for an operator's mistake.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    config: Flags.file({ char: 'c', summary: 'Path of the configuration file (YAML).', required: true }),
    'log-level': Flags.string({
      summary: 'Log level.',
      options: [...LOG_LEVELS],
      default: 'info',
      env: 'THV_LOG_LEVEL',
    }),
  };

  /**
   * Loads the config named by `--config`, honouring the process environment (`THV_DATA_DIR` names
   * the data directory of a config without `dataDir`).
   */
  protected async readConfig(path: string): Promise<Config> {
    return loadConfig(path, { env: process.env });
  }

  /** A logger at the chosen level, on stdout unless told otherwise. */
  protected makeLogger(level: string, fd?: LogDestination): Logger {
    return createLogger(level, fd);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof Errors.ExitError || (error as { oclif?: unknown }).oclif !== undefined) throw error;
    const registryError = isRegistryError(error) ? error : undefined;
    const details = registryError?.errors.map((detail) => `  - ${formatErrorDetail(detail)}`) ?? [];
    const text = registryError === undefined ? `error: ${error.message}` : [error.message, ...(details.length > 1 ? details : [])].join('\n');
    // oclif silences logToStderr under --json; the error must still reach the operator.
    process.stderr.write(`${text}\n`);
    if (this.jsonEnabled()) {
      const code = registryError?.code ?? 'THV_ERR_INTERNAL';
      this.logJson({ error: { code, message: error.message, errors: registryError?.errors ?? [] } });
    }
    return this.exit(exitCodeFor(error));
  }
}
