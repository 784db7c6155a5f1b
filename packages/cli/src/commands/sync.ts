import { Flags } from '@oclif/core';
import { ConfigError, createRuntime, type SyncOutcome } from '@thv/registry-core/host';
import { BaseCommand, CLI_DIR } from '../base-command.js';
import { ExitCode } from '../exit-codes.js';

/** One registry's result as printed and returned with `--json`. */
interface SyncReport {
  registry: string;
  result: SyncOutcome['result'];
  message?: string;
  servers?: number;
  versions?: number;
}

/**
 * Syncs registries once, now, and commits the result to storage; the same sync `serve` runs on
 * schedule. Exit 0 when every registry committed or was unchanged, 1 otherwise.
 */
export default class Sync extends BaseCommand {
  static override summary = 'Sync registries once now and commit the result to storage.';
  static override examples = [
    '<%= config.bin %> sync --config config.yaml',
    '<%= config.bin %> sync --config config.yaml --registry toolhive',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    registry: Flags.string({ char: 'r', summary: 'Sync only this registry (default: all).' }),
  };

  async run(): Promise<{ ok: boolean; registries: SyncReport[] }> {
    const { flags } = await this.parse(Sync);
    const config = await this.readConfig(flags.config);
    const names = config.registries.map((registry) => registry.name);
    if (flags.registry !== undefined && !names.includes(flags.registry)) {
      throw new ConfigError(`unknown registry "${flags.registry}": the config has ${names.map((n) => `"${n}"`).join(', ')}`, {
        errors: [{ path: '--registry', message: `"${flags.registry}" is not a configured registry` }],
      });
    }
    const logger = this.makeLogger(flags['log-level']);
    const runtime = await createRuntime(config, { logger, extraDirs: [CLI_DIR] });
    const reports: SyncReport[] = [];
    try {
      await runtime.open();
      for (const name of flags.registry === undefined ? names : [flags.registry]) {
        reports.push(toReport(await runtime.coordinator.syncNow(name)));
      }
    } finally {
      await runtime.close();
    }
    for (const report of reports) this.log(describe(report));
    const ok = reports.every((report) => report.result === 'committed' || report.result === 'unchanged');
    if (!ok) process.exitCode = ExitCode.failure;
    return { ok, registries: reports };
  }
}

function toReport(outcome: SyncOutcome): SyncReport {
  const report: SyncReport = { registry: outcome.registry, result: outcome.result };
  const message = outcome.result === 'skipped' ? 'another process holds the sync lease' : (outcome.error?.message ?? outcome.status?.message);
  if (message !== undefined) report.message = message;
  if (outcome.status !== undefined && outcome.result !== 'failed') {
    report.servers = outcome.status.serverCount;
    report.versions = outcome.status.versionCount;
  }
  return report;
}

function describe(report: SyncReport): string {
  const counts = report.servers === undefined ? '' : ` (${report.servers} servers, ${report.versions} versions)`;
  return `registry ${report.registry}: ${report.result}${counts}${report.message === undefined ? '' : `: ${report.message}`}`;
}
