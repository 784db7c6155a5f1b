import { Flags } from '@oclif/core';
import type { MigrationResult } from '@thv/registry-core/host';
import { StorageCommand } from '../../storage-command.js';

/** What `migrate up` did, as printed and returned with `--json`. */
export interface MigrateUpReport {
  from: number;
  to: number;
  /** Versions applied, in order (empty when the schema was up to date). */
  applied: number[];
}

/** Applies every pending schema migration of the configured storage. */
export default class MigrateUp extends StorageCommand {
  static override summary = 'Apply all pending schema migrations.';
  static override description =
    'Applies every pending migration of the configured storage in one transaction and prints what was applied. ' +
    'It never asks for confirmation; --yes is accepted so scripts written for the original server keep working.';
  static override examples = ['<%= config.bin %> migrate up --config config.yaml'];
  static override enableJsonFlag = true;
  static override flags = {
    yes: Flags.boolean({ char: 'y', summary: 'Accepted for compatibility: migrate up never asks for confirmation.', default: false }),
  };

  async run(): Promise<MigrateUpReport> {
    const { flags } = await this.parse(MigrateUp);
    const result = await this.withStorage(flags.config, flags['log-level'], (scope) => this.migrationsOf(scope).up());
    const report = toReport(result);
    this.log(describe(report));
    return report;
  }
}

function toReport(result: MigrationResult): MigrateUpReport {
  return { from: result.from, to: result.to, applied: [...result.versions] };
}

function describe(report: MigrateUpReport): string {
  if (report.applied.length === 0) return `schema is up to date at ${report.to}`;
  const noun = report.applied.length === 1 ? 'migration' : 'migrations';
  return `applied ${noun} ${report.applied.join(', ')} (schema now at ${report.to})`;
}
