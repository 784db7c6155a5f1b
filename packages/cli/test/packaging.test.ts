/**
 * Packaging, end to end: every published package packs only its built files, types, README and
 * licence with consistent metadata; installed from those tarballs into an empty project outside
 * the workspace, `thv-registry-api` runs and serves the sample registry.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { EXAMPLES_DIR, REPO_ROOT } from './helpers/cli.js';
import { get, type ServerListBody } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';

// npm install of the tarballs takes about 10 s with a warm npm cache; give a cold one room.
t.setTimeout(240_000);

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  type?: string;
  engines?: { node?: string };
  publishConfig?: { access?: string };
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface Workspace {
  /** `packages/<dir>` */
  dir: string;
  pkg: PackageJson;
}

/** What `npm pack --json` reports for one package. */
interface PackResult {
  name: string;
  version: string;
  filename: string;
  files: { path: string; mode: number }[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;

/** Every package under packages/ that is published (not private). */
async function publishedPackages(): Promise<Workspace[]> {
  const found: Workspace[] = [];
  for (const entry of (await readdir(join(REPO_ROOT, 'packages'), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory()) continue;
    const dir = `packages/${entry.name}`;
    let pkg: PackageJson;
    try {
      pkg = await readJson<PackageJson>(join(REPO_ROOT, dir, 'package.json'));
    } catch {
      continue;
    }
    if (pkg.private !== true) found.push({ dir, pkg });
  }
  return found;
}

/**
 * Our environment without what npm puts there for a running script (`npm test`): a child npm
 * must work on its own project, not on the workspace that started the tests.
 */
function npmFreeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_package_') || lower.startsWith('npm_lifecycle_')) continue;
    if (['npm_config_local_prefix', 'npm_config_prefix', 'npm_config_global_prefix', 'npm_config_workspace', 'npm_config_workspaces',
      'npm_config_include_workspace_root', 'npm_config_call', 'npm_config_yes', 'npm_command', 'init_cwd', 'npm_config_user_agent',
      'npm_execpath', 'npm_node_execpath', 'npm_config_nodedir'].includes(lower)) continue;
    env[key] = value;
  }
  delete env['THV_LOG_LEVEL'];
  return { ...env, NO_COLOR: '1', COLUMNS: '200', ...extra };
}

/** Runs a command to completion (killed after `timeoutMs`). */
function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? npmFreeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const workspaces = await publishedPackages();
const rootLicense = await readFile(join(REPO_ROOT, 'LICENSE'), 'utf8');
const lerna = await readJson<{ version: string; command?: { version?: { exact?: boolean } } }>(join(REPO_ROOT, 'lerna.json'));
const migrations = (await readdir(join(REPO_ROOT, 'packages', 'storage-pg', 'migrations'))).filter((name) => name.endsWith('.sql')).sort();
const byName = new Map(workspaces.map((w) => [w.pkg.name, w]));

t.test('every published package declares what npm needs', async (t) => {
  t.same(
    workspaces.map((w) => w.pkg.name).sort(),
    [
      '@thv/registry-cli',
      '@thv/registry-core',
      '@thv/registry-source-api',
      '@thv/registry-source-file',
      '@thv/registry-source-git',
      '@thv/registry-source-kubernetes',
      '@thv/registry-storage-fs',
      '@thv/registry-storage-pg',
    ],
    'the packages published from packages/',
  );
  t.equal(lerna.command?.version?.exact, true, 'lerna version keeps internal dependencies exact');
  t.equal(new Set(workspaces.map((w) => w.pkg.repository?.url)).size, 1, 'one repository for all');
  for (const { dir, pkg } of workspaces) {
    t.test(pkg.name, async (t) => {
      t.equal(pkg.version, lerna.version, 'one version for all (lerna fixed mode)');
      t.equal(pkg.license, 'Apache-2.0', 'licence');
      t.equal(await readFile(join(REPO_ROOT, dir, 'LICENSE'), 'utf8'), rootLicense, 'LICENSE is a copy of the root one');
      t.equal(pkg.type, 'module', 'ESM');
      t.equal(pkg.engines?.node, '>=20.19', 'engines');
      t.same(pkg.publishConfig, { access: 'public' }, 'a scoped package is published as public');
      t.match(pkg.repository, { type: 'git', url: /^git\+https:\/\/.+\.git$/, directory: dir }, 'repository, with its directory');
      t.match(pkg.homepage, new RegExp(`/${dir}#readme$`), 'homepage');
      t.ok(pkg.files?.includes('!dist/.tsbuildinfo'), 'the build info is left out');
      if (pkg.name === '@thv/registry-storage-pg') t.ok(pkg.files?.includes('migrations'), 'ships its migrations');
      for (const field of ['dependencies', 'peerDependencies', 'devDependencies'] as const) {
        for (const [dependency, range] of Object.entries(pkg[field] ?? {})) {
          if (byName.has(dependency)) t.equal(range, lerna.version, `${field}.${dependency} is the exact version`);
        }
      }
    });
  }
});

t.test('packed, installed outside the workspace, the CLI works', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'thv-packaging-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tarballs = join(dir, 'tarballs');
  const project = join(dir, 'project');
  await mkdir(tarballs);
  await mkdir(project);

  // One npm pack for every package, as `lerna publish` packs them (prepack scripts included).
  const pack = await run('npm', ['pack', '--json', '--pack-destination', tarballs, ...workspaces.flatMap((w) => ['-w', w.dir])], {
    cwd: REPO_ROOT,
    timeoutMs: 60_000,
  });
  t.equal(pack.code, 0, `npm pack exits 0\n${pack.stderr}`);
  const packed = JSON.parse(pack.stdout) as PackResult[];
  t.equal(packed.length, workspaces.length, 'one tarball per package');

  for (const result of packed) {
    const workspace = byName.get(result.name);
    if (workspace === undefined) {
      t.fail(`unexpected package ${result.name}`);
      continue;
    }
    const { pkg } = workspace;
    const files = result.files.map((file) => file.path).sort();
    const unexpected = files.filter(
      (path) => !/^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts)|bin\/run\.js|migrations\/[^/]+\.sql)$/.test(path),
    );
    t.same(unexpected, [], `${result.name}: only built files, types, README and licence`);
    for (const required of ['package.json', 'README.md', 'LICENSE']) t.ok(files.includes(required), `${result.name} has ${required}`);
    // Every entry point the package.json names is in the tarball.
    const targets = [
      ...Object.values(pkg.exports ?? {}).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target))),
      ...Object.values(pkg.bin ?? {}),
    ].map((target) => target.replace(/^\.\//, ''));
    for (const target of targets) t.ok(files.includes(target), `${result.name}: ${target} is packed`);
    for (const binTarget of Object.values(pkg.bin ?? {})) {
      const mode = result.files.find((file) => file.path === binTarget.replace(/^\.\//, ''))?.mode ?? 0;
      t.ok(mode & 0o111, `${result.name}: ${binTarget} is executable`);
    }
    if (result.name === '@thv/registry-storage-pg') {
      t.same(files.filter((path) => path.startsWith('migrations/')), migrations.map((name) => `migrations/${name}`), 'every migration is packed');
    }
  }

  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'thv-packaging-check', version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packed.map((p) => join(tarballs, p.filename))],
    { cwd: project, timeoutMs: 180_000 },
  );
  t.equal(install.code, 0, `npm install of the tarballs exits 0\n${install.stderr}`);

  const help = await run('npx', ['--no', '--', 'thv-registry-api', '--help'], { cwd: project });
  t.equal(help.code, 0, `npx thv-registry-api --help exits 0\n${help.stderr}`);
  t.match(help.stdout, /\$ thv-registry-api \[COMMAND\]/);
  for (const command of ['serve', 'validate', 'version', 'plugins']) t.match(help.stdout, new RegExp(`^\\s+${command}\\s`, 'm'), `lists ${command}`);

  const version = await run('npx', ['--no', '--', 'thv-registry-api', 'version', '--format', 'json'], { cwd: project });
  t.equal(version.code, 0, `version exits 0\n${version.stderr}`);
  t.match(JSON.parse(version.stdout), {
    version: byName.get('@thv/registry-cli')?.pkg.version,
    core: byName.get('@thv/registry-core')?.pkg.version,
    node: process.version,
  });

  // The CLI's plugin manager, with its state kept in this directory.
  const state = join(dir, 'oclif');
  const plugins = await run('npx', ['--no', '--', 'thv-registry-api', 'plugins'], {
    cwd: project,
    env: npmFreeEnv({ XDG_DATA_HOME: join(state, 'data'), XDG_CONFIG_HOME: join(state, 'config'), XDG_CACHE_HOME: join(state, 'cache') }),
  });
  t.equal(plugins.code, 0, `plugins exits 0\n${plugins.stderr}`);
  t.match(plugins.stdout, /No plugins installed/);

  // Every entry point of every library package loads from the installed tree.
  const specifiers = workspaces.flatMap(({ pkg }) =>
    Object.keys(pkg.exports ?? {})
      .filter((subpath) => subpath !== './package.json')
      .map((subpath) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)),
  );
  for (const entry of ['@thv/registry-core', '@thv/registry-core/host', '@thv/registry-core/testing']) {
    t.ok(specifiers.includes(entry), `${entry} is an entry point`);
  }
  const imports = await run(
    process.execPath,
    ['--input-type=module', '-e', `for (const s of ${JSON.stringify(specifiers)}) { const m = await import(s); if (Object.keys(m).length === 0) throw new Error(s + ' exports nothing'); } console.log('ok');`],
    { cwd: project },
  );
  t.equal(imports.code, 0, `${specifiers.join(', ')} import\n${imports.stderr}`);

  // serve, from the installed bin, with a copy of the sample registry.
  const site = join(dir, 'site');
  await mkdir(site);
  await copyFile(join(EXAMPLES_DIR, 'registry.json'), join(site, 'registry.json'));
  const config = join(site, 'config.yaml');
  await writeFile(config, ['registryName: example', 'source:', '  type: file', '  file:', '    path: ./registry.json', 'dataDir: ./data', ''].join('\n'));
  await serveAndQuery(t, join(project, 'node_modules', '.bin', 'thv-registry-api'), config, project);
});

/** Starts `serve`, reads its port from the `serving` log line, lists the servers, stops it with SIGTERM. */
async function serveAndQuery(t: Test, bin: string, config: string, cwd: string): Promise<void> {
  // The bin itself (not npx), so that SIGTERM reaches the server.
  const child = spawn(bin, ['serve', '--config', config, '--address', '127.0.0.1:0'], { cwd, env: npmFreeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const logs: { msg?: string; address?: { address: string; family: string; port: number }[] }[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const serving = await new Promise<(typeof logs)[number]>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => reject(new Error(`serve logged no "serving" line within 30 s\n${JSON.stringify(logs)}\n${stderr}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        try {
          const parsed = JSON.parse(line) as (typeof logs)[number];
          logs.push(parsed);
          if (parsed.msg === 'serving') {
            clearTimeout(timer);
            resolve(parsed);
          }
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before serving\n${JSON.stringify(logs)}\n${stderr}`));
    });
  });
  const address = serving.address?.find((a) => a.family === 'IPv4');
  t.ok(address, 'serving names its address');
  const base = `http://127.0.0.1:${address?.port ?? 0}`;
  // It listens before its first sync: ready once the registry has data.
  await pollUntil('readiness', async () => ((await get(`${base}/readiness`)).status === 200 ? true : undefined), { timeoutMs: 30_000 });
  const list = await get<ServerListBody>(`${base}/v0.1/servers`);
  t.equal(list.status, 200);
  t.equal(list.body.servers.length, 12, 'the 12 sample servers');

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM stops it with exit 0');
  t.ok(logs.some((line) => line.msg === 'stopped'), 'logs stopped');
}
