import { Flags } from '@oclif/core';
import { buildApp, ConfigError, createRuntime, parseAddress } from '@thv/registry-core/host';
import { BaseCommand, CLI_DIR } from '../base-command.js';
import { CLI_VERSION } from '../cli-version.js';
import { directRequestLine } from '../request-line.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Serves the MCP Registry API: opens storage and loads the committed snapshots (retrying in the
 * background while storage is unavailable), listens, and syncs every registry on schedule. SIGTERM/SIGINT stop accepting connections, let requests in flight finish,
 * abort syncs in flight, close storage and exit 0.
 */
export default class Serve extends BaseCommand {
  static override summary = 'Serve the MCP Registry API for the registries in a config file.';
  static override examples = [
    '<%= config.bin %> serve --config config.yaml',
    '<%= config.bin %> serve --config config.yaml --address 127.0.0.1:9090',
  ];
  static override flags = {
    address: Flags.string({ summary: 'Address to listen on, e.g. :8080 or 127.0.0.1:8080 (overrides server.address).' }),
  };

  async run(): Promise<void> {
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
    await runtime.start();
    const app = await buildApp({
      catalog: runtime.catalog,
      readiness: () => runtime.readiness(),
      registries: () => runtime.summaries(),
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

    const signal = await new Promise<string>((resolve) => {
      for (const name of SIGNALS) process.once(name, () => resolve(name));
    });
    logger.info({ signal }, 'shutting down');
    await app.close();
    await runtime.close();
    logger.info('stopped');
  }
}
