import { Flags } from '@oclif/core';
import { buildApp, ConfigError, createRuntime, installCrashGuard, parseAddress } from '@thv/registry-core/host';
import { BaseCommand, CLI_DIR } from '../base-command.js';
import { CLI_VERSION } from '../cli-version.js';
import { claimStopSignals } from '../pid1-signals.js';
import { directRequestLine } from '../request-line.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** How long the process may linger after a clean shutdown before it exits anyway. */
const EXIT_GRACE_MS = 2_000;

/**
 * Serves the MCP Registry API: opens storage and loads the committed snapshots (retrying in the
 * background while storage is unavailable, unless told not to wait), listens, and syncs every
 * registry on schedule. SIGTERM/SIGINT stop accepting connections, let requests in flight finish,
 * abort syncs in flight, close storage and exit 0 (one received while starting takes effect once
 * it serves). An unhandled rejection or uncaught exception is logged at fatal and ends in the
 * same shutdown, then exit 1.
 */
export default class Serve extends BaseCommand {
  static override summary = 'Serve the MCP Registry API for the registries in a config file.';
  static override examples = [
    '<%= config.bin %> serve --config config.yaml',
    '<%= config.bin %> serve --config config.yaml --address 127.0.0.1:9090',
    '<%= config.bin %> serve --config config.yaml --no-wait-for-database',
  ];
  static override flags = {
    address: Flags.string({ summary: 'Address to listen on, e.g. :8080 or 127.0.0.1:8080 (overrides server.address).' }),
    'wait-for-database': Flags.boolean({
      summary: 'When storage cannot be opened at start, keep retrying while serving (default; overrides server.waitForDatabase).',
      description:
        'With --no-wait-for-database, serve exits with 1 when the database (or the storage directory) cannot be opened at start.',
      allowNo: true,
      env: 'THV_WAIT_FOR_DATABASE',
    }),
  };

  async run(): Promise<void> {
    // Listened for from the start: a signal while starting up ends the process as soon as it is
    // serving, with the same clean shutdown.
    const signalled = new Promise<string>((resolve) => {
      for (const name of SIGNALS) process.once(name, () => resolve(name));
    });
    claimStopSignals();
    const { flags } = await this.parse(Serve);
    const config = await this.readConfig(flags.config);
    const address = flags.address === undefined ? config.server : parseAddress(flags.address);
    if (address === undefined) {
      throw new ConfigError(`invalid --address "${flags.address}": expected host:port or :port`, {
        errors: [{ path: '--address', message: `"${flags.address}" is not host:port or :port` }],
      });
    }
    const logger = this.makeLogger(flags['log-level']);
    const runtime = await createRuntime(config, { logger, extraDirs: [CLI_DIR] });
    let app: Awaited<ReturnType<typeof buildApp>> | undefined;
    let stopping: Promise<void> | undefined;
    const shutdown = (): Promise<void> =>
      (stopping ??= (async () => {
        await app?.close();
        await runtime.close();
      })());
    installCrashGuard({ logger, shutdown });

    try {
      await runtime.start({ waitForStorage: flags['wait-for-database'] ?? config.server.waitForDatabase });
    } catch (error) {
      await runtime.close();
      throw error;
    }
    app = await buildApp({
      catalog: runtime.catalog,
      readiness: () => runtime.readiness(),
      registries: () => runtime.summaries(),
      deployed: () => runtime.deployed(),
      info: { version: CLI_VERSION, nodeVersion: process.version },
      logger,
      requestLine: directRequestLine,
    });
    try {
      await app.listen({ host: address.host, port: address.port });
    } catch (error) {
      await runtime.close();
      throw error;
    }
    logger.info({ address: app.addresses(), registries: config.registries.map((r) => r.name) }, 'serving');

    const signal = await signalled;
    logger.info({ signal }, 'shutting down');
    await shutdown();
    logger.info('stopped');
    // A connection to a database behind a network that drops packets can outlive the shutdown
    // (its goodbye is never answered); it must not keep the process from exiting.
    setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
  }
}
