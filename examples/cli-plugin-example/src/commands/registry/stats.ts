import { Command, Flags } from '@oclif/core';
import { ServerReadError } from '../../client.js';
import { formatStats } from '../../report.js';
import { collectStats, type Stats } from '../../stats.js';

/** `thv-registry-api registry stats`: what a running server serves, at a glance. */
export default class RegistryStats extends Command {
  static override summary = 'Summarise the registries and servers of a running thv-registry server.';
  static override description =
    'Reads GET /v0.1/x/dev.toolhive/registries and every page of GET /v0.1/servers (deleted versions included) ' +
    'from the server at --url, and prints each registry with its sync status, then the number of server names, ' +
    'versions, latest versions, versions by status, by package type and with a remote. ' +
    'A server embedded under a prefix works too: --url http://127.0.0.1:3000/mcp.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --url https://registry.example.com --registry toolhive',
    '<%= config.bin %> <%= command.id %> --url http://127.0.0.1:3000/mcp --json',
  ];

  static override flags = {
    url: Flags.url({ summary: 'Base URL of the server.', default: new URL('http://127.0.0.1:8080'), env: 'THV_REGISTRY_URL' }),
    registry: Flags.string({ summary: 'Count the servers of this registry only.' }),
    timeout: Flags.integer({ summary: 'Seconds to wait for each answer.', default: 10, min: 1 }),
    json: Flags.boolean({ summary: 'Print the figures as JSON.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(RegistryStats);
    if (flags.url.protocol !== 'http:' && flags.url.protocol !== 'https:') {
      this.error(`--url must be an http(s) URL, not ${flags.url.href}`, { exit: 2 });
    }
    let stats: Stats;
    try {
      stats = await collectStats({
        baseUrl: flags.url,
        timeoutMs: flags.timeout * 1000,
        ...(flags.registry === undefined ? {} : { registry: flags.registry }),
      });
    } catch (error) {
      if (error instanceof ServerReadError) this.error(error.message, { exit: 1 });
      throw error;
    }
    this.log(flags.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
  }
}
