/**
 * Plugins of the command line (@oclif/plugin-plugins): link the example plugin
 * (examples/cli-plugin-example), run its `registry stats` command against a `serve` child, then
 * remove it. oclif keeps its plugin list in a temporary data directory, never the user's.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { REPO_ROOT, runCli, ServeProcess } from './helpers/cli.js';
import { copyExample, fileSourceConfig, writeConfig } from './helpers/fixtures.js';
import { get } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';

const PLUGIN_DIR = join(REPO_ROOT, 'examples', 'cli-plugin-example');
const PLUGIN_NAME = 'thv-registry-cli-plugin-stats';

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test('plugins link, a plugin command against a running server, plugins uninstall', async (t) => {
  t.ok(existsSync(join(PLUGIN_DIR, 'dist', 'commands', 'registry', 'stats.js')), 'the example plugin is built (npm run build)');

  const state = await mkdtemp(join(tmpdir(), 'thv-cli-plugins-'));
  t.teardown(() => rm(state, { recursive: true, force: true }));
  // Where oclif keeps its state (XDG base directories); HOME too, so nothing lands in the real one.
  const env = {
    HOME: state,
    XDG_DATA_HOME: join(state, 'data'),
    XDG_CONFIG_HOME: join(state, 'config'),
    XDG_CACHE_HOME: join(state, 'cache'),
  };

  const none = await runCli(t, ['plugins'], { env });
  t.equal(none.code, 0, `plugins exits 0\n${none.stderr}`);
  t.match(none.stdout, /No plugins installed/);

  // --no-install: the workspace install already provides the plugin's dependencies.
  const link = await runCli(t, ['plugins', 'link', PLUGIN_DIR, '--no-install'], { env });
  t.equal(link.code, 0, `plugins link exits 0\n${link.stderr}`);
  const recorded = JSON.parse(await readFile(join(state, 'data', 'thv-registry-api', 'package.json'), 'utf8')) as {
    oclif: { plugins: { name: string; type: string; root: string }[] };
  };
  t.match(recorded.oclif.plugins, [{ name: PLUGIN_NAME, type: 'link', root: PLUGIN_DIR }], 'the link is recorded in the temporary data directory');

  const listed = await runCli(t, ['plugins'], { env });
  t.equal(listed.code, 0);
  t.match(listed.stdout, new RegExp(`${PLUGIN_NAME} \\d+\\.\\d+\\.\\d+\\S* \\(link\\) ${PLUGIN_DIR.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  const help = await runCli(t, ['--help'], { env });
  t.match(help.stdout, /^\s+registry\s+Inspect a running thv-registry server/m, 'the root help lists the plugin topic');
  const commandHelp = await runCli(t, ['registry', 'stats', '--help'], { env });
  t.equal(commandHelp.code, 0);
  t.match(commandHelp.stdout, /--url=<value>/);

  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  const config = await writeConfig(dir, fileSourceConfig({ interval: '30m' }));
  const serve = await ServeProcess.start(t, config, { env });
  await pollUntil('readiness 200', async () => ((await get(`${serve.baseUrl}/readiness`)).status === 200 ? true : undefined));

  const stats = await runCli(t, ['registry', 'stats', '--url', serve.baseUrl], { env });
  t.equal(stats.code, 0, `registry stats exits 0\n${stats.stderr}`);
  t.match(stats.stdout, /^REGISTRY\s+TYPE\s+PHASE\s+SERVERS\s+VERSIONS\s+LAST SUCCESS$/m, 'a table of registries');
  t.match(stats.stdout, /^example\s+file\s+Complete\s+12\s+12\s+\d{4}-\d\d-\d\dT/m, 'the registry, synced');
  t.match(stats.stdout, /^names\s+12$/m);
  t.match(stats.stdout, /^versions\s+12$/m);
  t.match(stats.stdout, /^latest versions\s+12$/m);

  const json = await runCli(t, ['registry', 'stats', '--url', serve.baseUrl, '--registry', 'example', '--json'], { env });
  t.equal(json.code, 0, `registry stats --json exits 0\n${json.stderr}`);
  const report = JSON.parse(json.stdout) as { servers: { names: number; versions: number; byStatus: Record<string, number> } };
  t.match(report, { registry: 'example', registries: [{ name: 'example', type: 'file', phase: 'Complete', servers: 12, versions: 12 }] });
  t.match(report.servers, { names: 12, versions: 12, latest: 12 });
  t.equal(Object.values(report.servers.byStatus).reduce((a, b) => a + b, 0), 12, 'every version has a status');

  const unknownRegistry = await runCli(t, ['registry', 'stats', '--url', serve.baseUrl, '--registry', 'nope'], { env });
  t.equal(unknownRegistry.code, 1);
  t.match(unknownRegistry.stderr, /no registry "nope" \(it serves: example\)/);

  const down = await runCli(t, ['registry', 'stats', '--url', `http://127.0.0.1:${await closedPort()}`], { env });
  t.equal(down.code, 1, 'a server that is not there: exit 1');
  t.match(down.stderr, /connection refused/);

  t.match(await serve.stop(), { code: 0 });

  const uninstall = await runCli(t, ['plugins', 'uninstall', PLUGIN_NAME], { env });
  t.equal(uninstall.code, 0, `plugins uninstall exits 0\n${uninstall.stderr}`);
  const after = await runCli(t, ['plugins'], { env });
  t.match(after.stdout, /No plugins installed/);
  const gone = await runCli(t, ['registry', 'stats'], { env });
  t.equal(gone.code, 2, 'the command is gone');
  t.match(gone.stderr, /command registry:stats not found/);
});
