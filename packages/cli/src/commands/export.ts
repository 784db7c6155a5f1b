import { Flags } from '@oclif/core';
import {
  ConfigError,
  createRuntime,
  ErrorKinds,
  exportStaticSite,
  exportToolhive,
  exportUpstream,
  outputProblem,
  RegistryError,
  writeFileAtomically,
  writeTreeAtomically,
  type CatalogView,
  type Config,
  type ExportSkip,
  type StaticFile,
} from '@thv/registry-core/host';
import { BaseCommand, CLI_DIR } from '../base-command.js';

const FORMATS = ['upstream', 'toolhive', 'static'] as const;
type ExportFormat = (typeof FORMATS)[number];

/** What one format produced, ready to write. */
type Output =
  | { kind: 'file'; text: string; counts: string; skipped: ExportSkip[] }
  | { kind: 'directory'; files: StaticFile[]; counts: string; skipped: ExportSkip[] };

/**
 * Writes one registry's committed data, exactly as it is served, as an upstream wrapped file, a
 * ToolHive legacy file, or a tree of static files that answers the read API. Reads storage only:
 * no sync runs. Logs go to stderr so that `--out -` leaves nothing but the document on stdout.
 */
export default class Export extends BaseCommand {
  static override summary = "Write a registry's committed data as a file or as a static API tree.";
  static override description = [
    'Formats: `upstream` (an upstream wrapped file with every version), `toolhive` (a ToolHive legacy',
    'file with the latest version of each server; servers it cannot describe are skipped with a',
    'warning), `static` (a directory of index.json files for a static web server, answering',
    '/v0.1/servers, /v0.1/servers/{name}/versions and /v0.1/servers/{name}/versions/{version}).',
    'Reads what the last sync committed; run `sync` first.',
  ].join(' ');
  static override examples = [
    '<%= config.bin %> export --config config.yaml --registry upstream --format upstream --out registry.json',
    '<%= config.bin %> export --config config.yaml --registry toolhive --format toolhive --out - > registry.json',
    '<%= config.bin %> export --config config.yaml --registry toolhive --format static --out ./site --force',
  ];
  static override flags = {
    registry: Flags.string({ char: 'r', summary: 'Registry to export (default: the only one, when the config has one).' }),
    format: Flags.string({ char: 'f', summary: 'Output format.', options: [...FORMATS], required: true }),
    out: Flags.string({
      char: 'o',
      summary: 'Output file (upstream, toolhive; `-` for stdout) or directory (static).',
      required: true,
    }),
    force: Flags.boolean({ summary: 'Replace an output that exists and is not empty.', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Export);
    const format = flags.format as ExportFormat;
    const config = await this.readConfig(flags.config);
    const registry = chooseRegistry(config, flags.registry);
    const toStdout = flags.out === '-';
    const kind = format === 'static' ? 'directory' : 'file';
    if (toStdout && kind === 'directory') {
      throw new ConfigError('--out - (stdout) works only for the upstream and toolhive formats; static writes a directory', {
        errors: [{ path: '--out', message: 'the static format needs a directory' }],
      });
    }
    if (!toStdout) {
      const problem = await outputProblem(flags.out, kind, { force: flags.force });
      if (problem !== undefined) {
        const hint = problem.endsWith('not empty') ? '; use --force to replace it' : '';
        throw new ConfigError(`--out ${problem}${hint}`, { errors: [{ path: '--out', message: problem }] });
      }
    }

    const output = await this.build(config, registry, format, flags['log-level']);
    for (const skip of output.skipped) {
      this.logToStderr(`warning: skipped ${skip.name}${skip.version === undefined ? '' : ` ${skip.version}`}: ${skip.reason}`);
    }
    if (output.kind === 'directory') await writeTreeAtomically(flags.out, output.files, { force: flags.force });
    else if (toStdout) await writeStdout(output.text);
    else await writeFileAtomically(flags.out, output.text, { force: flags.force });

    const skipped = output.skipped.length === 0 ? '' : `; ${output.skipped.length} skipped (see the warnings)`;
    const summary = `registry ${registry}: exported ${output.counts} as ${format} to ${toStdout ? 'stdout' : flags.out}${skipped}`;
    if (toStdout) this.logToStderr(summary);
    else this.log(summary);
  }

  /** Opens storage, loads the committed snapshots and builds the output from the registry's view. */
  private async build(config: Config, registry: string, format: ExportFormat, logLevel: string): Promise<Output> {
    const runtime = await createRuntime(config, { logger: this.makeLogger(logLevel, 2), extraDirs: [CLI_DIR] });
    try {
      await runtime.open();
      const view = runtime.catalog.registry(registry);
      if (view === undefined || !runtime.catalog.hasData(registry)) {
        throw new RegistryError(ErrorKinds.notReady, `registry ${registry} has no committed data; run sync first`);
      }
      return render(view, format);
    } finally {
      await runtime.close();
    }
  }
}

/** The registry named by `--registry`, or the only one. */
function chooseRegistry(config: Config, requested: string | undefined): string {
  const names = config.registries.map((registry) => registry.name);
  const configured = names.map((name) => `"${name}"`).join(', ');
  if (requested === undefined) {
    if (names.length === 1) return names[0] as string;
    throw new ConfigError(`--registry is required: the config has ${configured}`, {
      errors: [{ path: '--registry', message: 'required when the config has several registries' }],
    });
  }
  if (!names.includes(requested)) {
    throw new ConfigError(`unknown registry "${requested}": the config has ${configured}`, {
      errors: [{ path: '--registry', message: `"${requested}" is not a configured registry` }],
    });
  }
  return requested;
}

function render(view: CatalogView, format: ExportFormat): Output {
  switch (format) {
    case 'upstream': {
      const result = exportUpstream(view);
      return { kind: 'file', text: documentText(result.document), counts: `${result.servers} servers, ${result.versions} versions`, skipped: [] };
    }
    case 'toolhive': {
      const result = exportToolhive(view);
      const counts = `${result.containers + result.remotes} servers (${result.containers} container, ${result.remotes} remote)`;
      return { kind: 'file', text: documentText(result.document), counts, skipped: result.skipped };
    }
    case 'static': {
      const site = exportStaticSite(view);
      const counts = `${site.servers} servers, ${site.versions} versions, ${site.files.length} files`;
      return { kind: 'directory', files: site.files, counts, skipped: site.skipped };
    }
  }
}

/** A registry file as people keep them in git: two-space indentation and a final newline. */
function documentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
