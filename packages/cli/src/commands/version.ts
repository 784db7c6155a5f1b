import { Command, Flags } from '@oclif/core';
import { CORE_VERSION } from '@thv/registry-core/host';
import { CLI_VERSION } from '../cli-version.js';

/** Prints the versions of the CLI, of core and of Node.js. */
export default class Version extends Command {
  static override summary = 'Show the version of thv-registry-api.';
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --format json'];
  static override flags = {
    format: Flags.string({ summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const info = { version: CLI_VERSION, core: CORE_VERSION, node: process.version, platform: `${process.platform}/${process.arch}` };
    if (flags.format === 'json') {
      this.log(JSON.stringify(info));
      return;
    }
    this.log(`thv-registry-api ${info.version} (core ${info.core}, node ${info.node}, ${info.platform})`);
  }
}
