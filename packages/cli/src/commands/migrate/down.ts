import { Flags } from '@oclif/core';
import type { MigrationInfo } from '@thv/registry-core/host';
import { ExitCode } from '../../exit-codes.js';
import { ask, isInteractive } from '../../prompt.js';
import { CommandFailure, StorageCommand, usageFailure } from '../../storage-command.js';

/** What `migrate down` did, as printed and returned with `--json`. */
export interface MigrateDownReport {
  from: number;
  to: number;
  /** Versions undone, in order (newest first). */
  undone: number[];
}

/**
 * Undoes the newest schema migrations. Undoing drops the tables (and data) they created, so it
 * names what will be undone and asks first; without a terminal it needs `--yes`.
 */
export default class MigrateDown extends StorageCommand {
  static override summary = 'Undo the newest schema migrations (drops their data).';
  static override description =
    'Undoes the last --num-steps applied migrations in one transaction. Undoing a migration drops the tables and data it ' +
    'created: the command names the migrations it will undo and asks for "yes" on a terminal. Without a terminal ' +
    '(scripts, CI) it refuses unless --yes is given.';
  static override examples = [
    '<%= config.bin %> migrate down --config config.yaml --num-steps 1',
    '<%= config.bin %> migrate down --config config.yaml --num-steps 2 --yes',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'num-steps': Flags.integer({ char: 'n', summary: 'How many migrations to undo, newest first.', required: true, min: 1 }),
    yes: Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation.', default: false }),
  };

  async run(): Promise<MigrateDownReport> {
    const { flags } = await this.parse(MigrateDown);
    const steps = flags['num-steps'];
    const result = await this.withStorage(flags.config, flags['log-level'], async (scope) => {
      const migrations = this.migrationsOf(scope);
      const status = await migrations.status();
      const applied = status.migrations.filter((migration) => migration.applied).sort((a, b) => b.version - a.version);
      if (applied.length === 0) throw usageFailure('no migration is applied: there is nothing to undo');
      if (steps > applied.length) {
        throw usageFailure(`--num-steps ${steps} is more than the ${applied.length} applied migration${applied.length === 1 ? '' : 's'} (${applied.map(label).join(', ')})`);
      }
      const undo = applied.slice(0, steps);
      this.notice(
        `warning: undoing migrations drops the tables and data they created; undoing ${undo.map(label).join(', ')} ` +
          `takes the schema from ${status.current} to ${applied[steps]?.version ?? 0}`,
      );
      if (!flags.yes) await this.confirm();
      return migrations.down(steps);
    });
    const report: MigrateDownReport = { from: result.from, to: result.to, undone: [...result.versions] };
    const noun = report.undone.length === 1 ? 'migration' : 'migrations';
    this.log(`undid ${noun} ${report.undone.join(', ')} (schema now at ${report.to})`);
    return report;
  }

  private async confirm(): Promise<void> {
    if (!isInteractive()) {
      throw usageFailure('refusing to undo migrations without confirmation: stdin is not a terminal; pass --yes to confirm');
    }
    const answer = await ask('Type "yes" to continue: ');
    if (answer !== 'yes') throw new CommandFailure('aborted', ExitCode.failure);
  }
}

function label(migration: MigrationInfo): string {
  return `${migration.version} (${migration.name})`;
}
