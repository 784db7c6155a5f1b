import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AbortedError, ConfigError, SourceError, type SourceData, type SourceHandler } from '@thv/registry-core';
import plugin from '../src/index.js';
import { fetchRequest, sourceContext } from './context.js';

const document = { version: '1.0.0', last_updated: '2025-01-01T00:00:00Z', servers: {} };

async function createSource(config: Record<string, unknown>, configDir: string): Promise<SourceHandler> {
  return plugin.create(config, sourceContext(configDir));
}

t.test('declares the file source plugin', async (t) => {
  t.equal(plugin.kind, 'source');
  t.equal(plugin.type, 'file');
  t.match(plugin.configSchema, { type: 'object', additionalProperties: false });
});

t.test('reads a relative path against the config directory', async (t) => {
  const dir = t.testdir({ 'registry.json': JSON.stringify(document) });
  const source = await createSource({ path: './registry.json' }, dir);
  t.equal(source.describe(), `file ${join(dir, 'registry.json')}`);
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.same(result.documents, [document]);
  t.match(result.fingerprint, /^sha256:[0-9a-f]{64}$/);
  t.equal(result.state, undefined);
});

t.test('fingerprints the bytes: unchanged, changed, forced', async (t) => {
  const dir = t.testdir({ 'registry.json': JSON.stringify(document) });
  const source = await createSource({ path: 'registry.json' }, dir);
  const first = (await source.fetch(fetchRequest())) as SourceData;

  const same = await source.fetch(fetchRequest({ previous: { fingerprint: first.fingerprint } }));
  t.same(same, { unchanged: true }, 'same bytes are unchanged');

  const forced = (await source.fetch(
    fetchRequest({ previous: { fingerprint: first.fingerprint }, allowUnchanged: false }),
  )) as SourceData;
  t.same(forced.documents, [document], 'allowUnchanged false returns the full data');
  t.equal(forced.fingerprint, first.fingerprint);

  const changed = { ...document, version: '1.0.1' };
  await writeFile(join(dir, 'registry.json'), JSON.stringify(changed));
  const next = (await source.fetch(fetchRequest({ previous: { fingerprint: first.fingerprint } }))) as SourceData;
  t.not(next.fingerprint, first.fingerprint, 'new content, new fingerprint');
  t.same(next.documents, [changed]);
});

t.test('accepts a byte order mark', async (t) => {
  const dir = t.testdir({ 'registry.json': `\uFEFF${JSON.stringify(document)}` });
  const source = await createSource({ path: 'registry.json' }, dir);
  t.same(((await source.fetch(fetchRequest())) as SourceData).documents, [document]);
});

t.test('a missing file', async (t) => {
  const dir = t.testdir({});
  const source = await createSource({ path: 'nope.json' }, dir);
  await t.rejects(source.fetch(fetchRequest()), new SourceError(`registry file not found: ${join(dir, 'nope.json')}`));
});

t.test('an unreadable file', { skip: process.getuid?.() === 0 ? 'root reads any file' : false }, async (t) => {
  const dir = t.testdir({ 'registry.json': '{}' });
  const path = join(dir, 'registry.json');
  await chmod(path, 0o000);
  t.teardown(() => chmod(path, 0o600));
  const source = await createSource({ path }, dir);
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `registry file not readable (permission denied): ${path}`,
  });
});

t.test('a directory instead of a file', async (t) => {
  const dir = t.testdir({});
  await mkdir(join(dir, 'registry.json'));
  const source = await createSource({ path: 'registry.json' }, dir);
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `registry file is a directory, not a file: ${join(dir, 'registry.json')}`,
  });
});

t.test('bad JSON names the file and the position', async (t) => {
  const dir = t.testdir({ 'registry.json': '{\n  "version": "1",\n  "servers": }\n' });
  const path = join(dir, 'registry.json');
  const source = await createSource({ path: 'registry.json' }, dir);
  const err = await source.fetch(fetchRequest()).catch((e: unknown) => e);
  t.type(err, SourceError);
  t.match((err as Error).message, `registry document ${path} is not valid JSON: `);
  t.match((err as Error).message, /line 3, column 14|line 3 column 14/);
});

t.test('an empty file', async (t) => {
  const dir = t.testdir({ 'registry.json': '  \n' });
  const source = await createSource({ path: 'registry.json' }, dir);
  await t.rejects(source.fetch(fetchRequest()), { message: /registry document .*registry\.json is empty/ });
});

t.test('a file over maxBytes', async (t) => {
  const dir = t.testdir({ 'registry.json': JSON.stringify(document) });
  const source = await createSource({ path: 'registry.json', maxBytes: 10 }, dir);
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `registry file ${join(dir, 'registry.json')} is larger than maxBytes (10 bytes)`,
  });
});

t.test('an aborted request', async (t) => {
  const dir = t.testdir({ 'registry.json': JSON.stringify(document) });
  const source = await createSource({ path: 'registry.json' }, dir);
  await t.rejects(source.fetch(fetchRequest({ signal: AbortSignal.abort() })), AbortedError);
});

t.test('create refuses a block with neither or both of path and url', async (t) => {
  const dir = t.testdir({});
  await t.rejects(createSource({}, dir), ConfigError);
  await t.rejects(createSource({ path: 'a.json', url: 'https://example.com/a.json' }, dir), ConfigError);
  await t.rejects(createSource({ url: 'ftp://example.com/a.json' }, dir), { message: /must be http or https/ });
  await t.rejects(createSource({ url: 'https://example.com/a.json', timeout: 'soon' }, dir), {
    message: /timeout "soon" is not a duration/,
  });
});
