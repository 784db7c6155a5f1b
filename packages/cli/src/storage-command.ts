import { ux } from '@oclif/core';
import { createStorage, type Config, type Storage, type StorageMigrations, type StorageUsers } from '@thv/registry-core/host';
import { BaseCommand, CLI_DIR } from './base-command.js';
import { ExitCode } from './exit-codes.js';

/** A failure the command itself detected, with the exit code it ends the run with. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}

/** A problem with what the operator asked for: exit 2. */
export function usageFailure(message: string): CommandFailure {
  return new CommandFailure(message, ExitCode.usage);
}

/** What a {@link StorageCommand} hands to the work it runs against the configured storage. */
export interface StorageScope {
  config: Config;
  storage: Storage;
}

/**
 * Base of the commands that act on the configured storage directly (`migrate …`, `prime-db`): it
 * creates the storage without opening it, runs the work, and always closes the storage again.
 * Capabilities are checked through the storage contract only, so any storage plugin that
 * implements them works and one that does not gets a clear message.
 */
export abstract class StorageCommand extends BaseCommand {
  /**
   * Creates the storage of the config at `configPath` (not opened: migrations and users work
   * without it), runs `work`, then closes the storage.
   */
  protected async withStorage<T>(configPath: string, logLevel: string, work: (scope: StorageScope) => Promise<T>): Promise<T> {
    const config = await this.readConfig(configPath);
    // What these commands do is printed; the log only carries warnings unless asked for more.
    const logger = this.makeLogger(logLevel === 'info' ? 'warn' : logLevel);
    const storage = await createStorage(config, { logger, extraDirs: [CLI_DIR] });
    let failed = true;
    try {
      const result = await work({ config, storage });
      failed = false;
      return result;
    } finally {
      try {
        await storage.close();
      } catch (error) {
        // A failure to release must not hide the failure that matters.
        if (!failed) throw error;
        logger.warn({ err: error }, 'storage close failed');
      }
    }
  }

  /** The storage's schema migrations, or a usage failure naming a storage that has none. */
  protected migrationsOf({ config, storage }: StorageScope): StorageMigrations {
    if (storage.migrations === undefined) throw usageFailure(`storage ${config.storage.type} has no schema migrations`);
    return storage.migrations;
  }

  /** The storage's user preparation, or a usage failure naming a storage that has none. */
  protected usersOf({ config, storage }: StorageScope): StorageUsers {
    if (storage.users === undefined) throw usageFailure(`storage ${config.storage.type} has no database users to prepare`);
    return storage.users;
  }

  /** Warnings and notices for the operator: on stderr, also with `--json` (stdout stays the report). */
  protected notice(message: string): void {
    ux.stderr(message);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof CommandFailure) {
      ux.stderr(`error: ${error.message}`);
      return this.exit(error.exitCode);
    }
    // With --json, oclif silences logToStderr; the reason for a failure must still reach stderr.
    if (this.jsonEnabled() && (error as { oclif?: unknown }).oclif === undefined) ux.stderr(`error: ${error.message}`);
    return super.catch(error);
  }
}
