import type { MigrationStatus } from '@thv/registry-core/host';
import { StorageCommand } from '../../storage-command.js';

/** Lists the schema migrations of the configured storage, applied and pending. */
export default class MigrateStatus extends StorageCommand {
  static override summary = 'Show which schema migrations are applied and which are pending.';
  static override examples = ['<%= config.bin %> migrate status --config config.yaml', '<%= config.bin %> migrate status --config config.yaml --json'];
  static override enableJsonFlag = true;

  async run(): Promise<MigrationStatus> {
    const { flags } = await this.parse(MigrateStatus);
    const status = await this.withStorage(flags.config, flags['log-level'], (scope) => this.migrationsOf(scope).status());
    this.log(describe(status));
    return status;
  }
}

function describe(status: MigrationStatus): string {
  const pending = status.migrations.filter((migration) => !migration.applied).length;
  const head = `schema at version ${status.current}, latest ${status.latest}${pending === 0 ? ' (up to date)' : ` (${pending} pending)`}`;
  const versionWidth = Math.max(7, ...status.migrations.map((migration) => String(migration.version).length));
  const nameWidth = Math.max(4, ...status.migrations.map((migration) => migration.name.length));
  const row = (version: string, name: string, state: string, at: string) =>
    `${version.padEnd(versionWidth)}  ${name.padEnd(nameWidth)}  ${state.padEnd(7)}  ${at}`.trimEnd();
  const lines = [head];
  if (status.migrations.length > 0) {
    lines.push(row('VERSION', 'NAME', 'STATE', 'APPLIED AT'));
    for (const migration of status.migrations) {
      lines.push(row(String(migration.version), migration.name, migration.applied ? 'applied' : 'pending', migration.appliedAt ?? ''));
    }
  }
  return lines.join('\n');
}
