import { compileFilter, createSource, createStorage, gatherEntries, type Config, type RegistryConfig, type SkippedEntry } from '@thv/registry-core/host';
import type { Logger } from 'pino';
import { BaseCommand, CLI_DIR } from '../base-command.js';
import { ExitCode } from '../exit-codes.js';

/** What validate found for one registry. */
interface RegistryReport {
  name: string;
  source: string;
  ok: boolean;
  error?: string;
  servers?: number;
  versions?: number;
  filteredOut?: number;
  skipped?: SkippedEntry[];
}

/**
 * Checks a config without serving: the config itself, every plugin it names (found, loaded, its
 * block valid), and every source (fetched once, parsed, validated, filtered). Prints what would be
 * served. Exit 2 for a bad config or plugin, 1 when a source fails, 0 otherwise.
 */
export default class Validate extends BaseCommand {
  static override summary = 'Check a config, its plugins and its sources; print what would be served.';
  static override examples = ['<%= config.bin %> validate --config config.yaml'];
  static override enableJsonFlag = true;

  async run(): Promise<{ valid: boolean; storage: string; registries: RegistryReport[] }> {
    const { flags } = await this.parse(Validate);
    const config = await this.readConfig(flags.config);
    const logger = this.makeLogger(flags['log-level'] === 'info' ? 'warn' : flags['log-level']);
    const env = { logger, extraDirs: [CLI_DIR] };
    await createStorage(config, env);
    const registries: RegistryReport[] = [];
    for (const registry of config.registries) registries.push(await this.checkRegistry(config, registry, logger));
    const valid = registries.every((report) => report.ok);
    this.log(`config ${config.configPath}: storage ${config.storage.type}, ${registries.length} registr${registries.length === 1 ? 'y' : 'ies'}`);
    for (const report of registries) this.log(describe(report));
    if (!valid) process.exitCode = ExitCode.failure;
    return { valid, storage: config.storage.type, registries };
  }

  private async checkRegistry(config: Config, registry: RegistryConfig, logger: Logger): Promise<RegistryReport> {
    const source = await createSource(config, registry, { logger, extraDirs: [CLI_DIR] });
    const report: RegistryReport = { name: registry.name, source: source.describe(), ok: false };
    try {
      const data = await source.fetch({ signal: new AbortController().signal, allowUnchanged: false });
      if (data.unchanged === true) throw new Error('the source answered "unchanged" to a full fetch');
      const gathered = gatherEntries(data, registry.source.format, compileFilter(registry.filter));
      Object.assign(report, {
        ok: true,
        servers: new Set(gathered.kept.map((entry) => entry.server.name)).size,
        versions: gathered.kept.length,
        filteredOut: gathered.filteredOut,
        skipped: gathered.skipped,
      });
    } catch (error) {
      report.error = error instanceof Error ? error.message : String(error);
    } finally {
      await source.close?.();
    }
    return report;
  }
}

function describe(report: RegistryReport): string {
  const head = `registry ${report.name} (${report.source}): `;
  if (!report.ok) return `${head}FAILED: ${report.error}`;
  const lines = [
    `${head}${report.servers} servers, ${report.versions} versions would be served (${report.filteredOut} filtered out, ${report.skipped?.length ?? 0} invalid)`,
  ];
  for (const skipped of report.skipped ?? []) {
    lines.push(`  skipped ${skipped.name}${skipped.version === undefined ? '' : `@${skipped.version}`}: ${skipped.reason}`);
  }
  return lines.join('\n');
}
