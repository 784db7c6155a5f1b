import { chmod, mkdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  AbortedError,
  ConfigError,
  SourceError,
  type Logger,
  type SourceData,
  type SourceHandler,
} from '@thv/registry-core';
import { collectEntries, validateBlock } from '@thv/registry-core/host';
import { assertSourcePlugin } from '@thv/registry-core/testing';
import plugin, { type DirSourceConfig } from '../src/index.js';
import { fetchRequest, serverJson, sourceContext } from './helpers.js';

async function dirSource(dir: string, config: Partial<DirSourceConfig> = {}, logger?: Logger): Promise<SourceHandler> {
  return plugin.create({ path: './servers', ...config }, sourceContext(dir, logger === undefined ? {} : { logger }));
}

async function fetchData(source: SourceHandler, overrides = {}): Promise<SourceData> {
  const result = await source.fetch(fetchRequest(overrides));
  if (result.unchanged === true) throw new Error('expected data, got unchanged');
  return result;
}

function names(data: SourceData): string[] {
  return (data.entries ?? []).map((entry) => `${entry.server.name}@${entry.server.version}`);
}

t.test('keeps the source plugin contract', async (t) => {
  const dir = t.testdir({
    servers: { 'alpha.json': serverJson('alpha'), beta: { '1.0.0.json': serverJson('beta'), '2.0.0.json': serverJson('beta', '2.0.0') } },
  });
  const report = await assertSourcePlugin(plugin, {
    config: { path: './servers' },
    context: { configDir: dir },
    mutate: () => writeFile(join(dir, 'servers', 'gamma.json'), serverJson('gamma')),
    breakIt: () => rm(join(dir, 'servers'), { recursive: true }),
  });
  t.same(report.warnings, []);
  t.equal(report.collected?.entries.length, 3, 'three valid server versions');
  t.equal(report.checks.find((check) => check.name === 'broken')?.message, `rejected with SourceError [THV_ERR_SOURCE]: server directory ${join(dir, 'servers')} not found`);
});

t.test('reads the *.json files of the directory and its subdirectories, in path order', async (t) => {
  const dir = t.testdir({
    servers: {
      'zeta.json': serverJson('zeta'),
      weather: { '1.1.0.json': serverJson('weather', '1.1.0'), '1.0.0.json': serverJson('weather', '1.0.0') },
      'README.md': '# not a server',
      'notes.txt': 'ignored',
      '.draft.json': 'ignored: hidden',
      '.git': { 'config.json': 'ignored: hidden directory' },
    },
  });
  const source = await dirSource(dir);
  t.equal(source.describe(), `dir ${join(dir, 'servers')}`);
  const data = await fetchData(source);
  t.same(names(data), ['io.github.example/weather@1.0.0', 'io.github.example/weather@1.1.0', 'io.github.example/zeta@1.0.0']);
  t.match(data.fingerprint, /^sha256:[0-9a-f]{64}$/);
  t.match(data.state, { listing: /^sha256:[0-9a-f]{64}$/ });

  const flat = await fetchData(await dirSource(dir, { recursive: false }));
  t.same(names(flat), ['io.github.example/zeta@1.0.0'], 'recursive: false reads the top level only');
});

t.test('the fingerprint follows names and contents, not creation order or times', async (t) => {
  const a = t.testdir({ servers: { 'one.json': serverJson('one'), 'two.json': serverJson('two') } });
  const first = await fetchData(await dirSource(a));
  const b = join(a, 'other');
  await mkdir(join(b, 'servers'), { recursive: true });
  await writeFile(join(b, 'servers', 'two.json'), serverJson('two'));
  await writeFile(join(b, 'servers', 'one.json'), serverJson('one'));
  t.equal((await fetchData(await dirSource(b))).fingerprint, first.fingerprint, 'same files, same fingerprint');

  const source = await dirSource(a);
  const later = new Date(Date.now() + 60_000);
  await utimes(join(a, 'servers', 'one.json'), later, later);
  const touched = await source.fetch(fetchRequest({ previous: { fingerprint: first.fingerprint, state: first.state ?? null } }));
  t.match(touched, { unchanged: true }, 'a touched file is read again, and found unchanged');
  t.not((touched as { state?: unknown }).state, first.state, 'with the new listing remembered');

  await rename(join(a, 'servers', 'two.json'), join(a, 'servers', 'three.json'));
  t.not((await fetchData(source)).fingerprint, first.fingerprint, 'a renamed file changes the fingerprint');
});

t.test('an unchanged listing answers unchanged without reading the files', async (t) => {
  const dir = t.testdir({ servers: { 'one.json': serverJson('one') } });
  const path = join(dir, 'servers', 'one.json');
  const time = new Date('2026-01-01T00:00:00Z');
  await utimes(path, time, time);
  const source = await dirSource(dir);
  const first = await fetchData(source);
  const previous = { fingerprint: first.fingerprint, state: first.state ?? null };
  t.same(await source.fetch(fetchRequest({ previous })), { unchanged: true, state: first.state });

  // Same size and modification time, different bytes: only a forced fetch sees it.
  await writeFile(path, serverJson('two'));
  await utimes(path, time, time);
  t.same(await source.fetch(fetchRequest({ previous })), { unchanged: true, state: first.state });
  const forced = await fetchData(source, { previous, allowUnchanged: false });
  t.same(names(forced), ['io.github.example/two@1.0.0']);
  t.not(forced.fingerprint, first.fingerprint);
});

t.test('invalid servers are delivered as entries, for core to skip with the reason', async (t) => {
  const dir = t.testdir({ servers: { 'good.json': serverJson('good'), 'bad.json': JSON.stringify({ name: 'io.github.example/bad', version: '1.0.0' }) } });
  const data = await fetchData(await dirSource(dir));
  t.equal(data.entries?.length, 2);
  const collected = collectEntries(data, undefined);
  t.same(collected.entries.map((entry) => entry.server.name), ['io.github.example/good']);
  t.match(collected.skipped, [{ name: 'io.github.example/bad', reason: /description/ }]);
});

t.test('a file that is not a JSON object fails the fetch by default', async (t) => {
  const cases: Array<[string, string, string | RegExp]> = [
    ['not JSON', '{ "name": ', /^server file .+bad\.json is not valid JSON: .+ \(line 1, column 11\)$/],
    ['empty', '  \n', /^server file .+bad\.json is empty$/],
    ['an array', '[]', /^server file .+bad\.json does not hold a server\.json object \(it holds an array\)$/],
    ['a string', '"x"', /it holds a string\)$/],
    ['null', 'null', /it holds null\)$/],
  ];
  for (const [label, text, message] of cases) {
    const dir = t.testdir({ servers: { 'good.json': serverJson('good'), 'bad.json': text } });
    const error = await (await dirSource(dir)).fetch(fetchRequest()).catch((e: unknown) => e);
    t.type(error, SourceError, label);
    t.match((error as Error).message, message, label);
  }
});

t.test('onInvalidFile: skip leaves such a file out with a warning', async (t) => {
  const dir = t.testdir({ servers: { 'good.json': serverJson('good'), 'bad.json': '{ "name": ' } });
  const warnings: unknown[] = [];
  const logger = { debug() {}, warn: (fields: unknown, message: string) => warnings.push({ fields, message }) } as unknown as Logger;
  const source = await dirSource(dir, { onInvalidFile: 'skip' }, logger);
  const data = await fetchData(source);
  t.same(names(data), ['io.github.example/good@1.0.0']);
  t.match(warnings, [{ message: 'server file skipped', fields: { file: 'bad.json', reason: /is not valid JSON/ } }]);

  await writeFile(join(dir, 'servers', 'bad.json'), serverJson('fixed'));
  const fixed = await fetchData(source, { previous: { fingerprint: data.fingerprint, state: data.state ?? null } });
  t.same(names(fixed), ['io.github.example/fixed@1.0.0', 'io.github.example/good@1.0.0'], 'fixing the file is a change');
});

t.test('directory errors name the directory', async (t) => {
  const dir = t.testdir({ 'servers.json': '{}' });
  await t.rejects((await dirSource(dir, { path: 'nope' })).fetch(fetchRequest()), new SourceError(`server directory ${join(dir, 'nope')} not found`));
  await t.rejects(
    (await dirSource(dir, { path: 'servers.json' })).fetch(fetchRequest()),
    new SourceError(`server directory ${join(dir, 'servers.json')} is not a directory`),
  );
});

t.test('an unreadable subdirectory', { skip: process.getuid?.() === 0 ? 'root reads any directory' : false }, async (t) => {
  const dir = t.testdir({ servers: { locked: { 'a.json': serverJson('a') } } });
  const locked = join(dir, 'servers', 'locked');
  await chmod(locked, 0o000);
  t.teardown(() => chmod(locked, 0o755));
  await t.rejects((await dirSource(dir)).fetch(fetchRequest()), new SourceError(`server directory ${locked} is not readable (permission denied)`));
});

t.test('symlinked files are followed, symlinked directories are not', async (t) => {
  const dir = t.testdir({ elsewhere: { 'linked.json': serverJson('linked') }, servers: { 'own.json': serverJson('own') } });
  await symlink(join(dir, 'elsewhere', 'linked.json'), join(dir, 'servers', 'linked.json'));
  await symlink(join(dir, 'elsewhere'), join(dir, 'servers', 'more'));
  await symlink(join(dir, 'elsewhere', 'gone.json'), join(dir, 'servers', 'dangling.json'));
  t.same(names(await fetchData(await dirSource(dir))), ['io.github.example/linked@1.0.0', 'io.github.example/own@1.0.0']);
});

t.test('an aborted fetch rejects with AbortedError', async (t) => {
  const dir = t.testdir({ servers: { 'one.json': serverJson('one') } });
  const controller = new AbortController();
  controller.abort();
  await t.rejects((await dirSource(dir)).fetch(fetchRequest({ signal: controller.signal })), AbortedError);
});

t.test('the config block schema', async (t) => {
  const check = (block: unknown) => validateBlock(plugin.configSchema, block, 'source.dir');
  t.same(check({ path: './servers', recursive: false, onInvalidFile: 'skip' }), []);
  t.same(check({ path: '' }), [{ path: 'source.dir.path', message: 'must be a non-empty path to a directory of server.json files' }]);
  t.same(check({ path: 3 }), [{ path: 'source.dir.path', message: 'must be a non-empty path to a directory of server.json files' }]);
  t.same(check({}), [{ path: 'source.dir.path', message: 'is required' }]);
  t.same(check({ path: 'x', onInvalidFile: 'ignore' }), [{ path: 'source.dir.onInvalidFile', message: 'must be one of "fail", "skip"' }]);
  t.match(check({ path: 'x', recursve: true }), [{ path: 'source.dir.recursve', message: /did you mean "recursive"/ }]);
});

t.test('a ToolHive format hint is a config error', async (t) => {
  const dir = t.testdir({});
  t.throws(() => plugin.create({ path: '.' }, sourceContext(dir, { format: 'toolhive' })), ConfigError);
  t.ok(await plugin.create({ path: '.' }, sourceContext(dir, { format: 'upstream' })));
});
