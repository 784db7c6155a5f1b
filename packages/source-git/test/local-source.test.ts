import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import type { SourceData } from '@thv/registry-core';
import { capturingLogger, createSource, fetchRequest, registryDocument, registryText } from './context.js';
import { commitFile, commitFiles, createBareRepo, createEmptyRepo, git, tag } from './helpers/git-http-server.js';

t.test('reads a bare repository on disk, relative to the config file', async (t) => {
  const dir = t.testdir({});
  const bare = join(dir, 'repos', 'registry.git');
  const first = await createBareRepo(bare, { 'registry.json': registryText(1) });
  await tag(bare, 'v1', { message: 'first' });
  const second = await commitFile(bare, 'registry.json', registryText(2));
  await commitFiles(bare, { 'registry.json': registryText(3) }, { branch: 'dev' });

  const head = await createSource({ repository: './repos/registry.git', path: 'registry.json' }, dir);
  t.equal(head.describe(), `git ${bare} HEAD registry.json`);
  const result = (await head.fetch(fetchRequest())) as SourceData;
  t.same(result.documents, [registryDocument(2)]);
  t.match(result.state, { repository: bare, commit: second, blob: result.fingerprint });
  t.notOk(
    await import('node:fs/promises').then(({ stat }) => stat(join(dir, 'data')).then(() => true, () => false)),
    'a local repository needs no cache',
  );

  const byTag = await createSource({ repository: bare, tag: 'v1', path: 'registry.json' }, dir);
  t.match(((await byTag.fetch(fetchRequest())) as SourceData).state, { commit: first });
  const byBranch = await createSource({ repository: bare, branch: 'dev', path: 'registry.json' }, dir);
  t.same(((await byBranch.fetch(fetchRequest())) as SourceData).documents, [registryDocument(3)]);
  const byCommit = await createSource({ repository: bare, commit: first, path: 'registry.json' }, dir);
  t.same(((await byCommit.fetch(fetchRequest())) as SourceData).documents, [registryDocument(1)]);

  t.same(await head.fetch(fetchRequest({ previous: { fingerprint: result.fingerprint, state: result.state! } })), { unchanged: true });
  const third = await commitFile(bare, 'registry.json', registryText(4));
  const next = (await head.fetch(fetchRequest({ previous: { fingerprint: result.fingerprint, state: result.state! } }))) as SourceData;
  t.same(next.documents, [registryDocument(4)]);
  t.match(next.state, { commit: third });
});

t.test('reads packed refs and packed objects', async (t) => {
  const dir = t.testdir({});
  const bare = join(dir, 'registry.git');
  await createBareRepo(bare, { 'registry.json': registryText(1) });
  await tag(bare, 'v1', { message: 'first' });
  await commitFile(bare, 'registry.json', registryText(2));
  await git([`--git-dir=${bare}`, 'gc', '--quiet']);
  const byTag = await createSource({ repository: bare, tag: 'v1', path: 'registry.json' }, dir);
  t.same(((await byTag.fetch(fetchRequest())) as SourceData).documents, [registryDocument(1)]);
  const head = await createSource({ repository: bare, branch: 'main', path: 'registry.json' }, dir);
  t.same(((await head.fetch(fetchRequest())) as SourceData).documents, [registryDocument(2)]);
});

t.test('reads a working copy: committed content only, also as a file:// URL', async (t) => {
  const dir = t.testdir({});
  const work = join(dir, 'work');
  await git(['init', '--quiet', '--initial-branch=main', work]);
  await writeFile(join(work, 'registry.json'), registryText(1));
  await git(['-C', work, 'add', 'registry.json']);
  await git(['-C', work, 'commit', '--quiet', '-m', 'first']);
  await writeFile(join(work, 'registry.json'), registryText(9));

  const source = await createSource({ repository: 'work', path: 'registry.json' }, dir);
  t.equal(source.describe(), `git ${work} HEAD registry.json`);
  t.same(((await source.fetch(fetchRequest())) as SourceData).documents, [registryDocument(1)], 'uncommitted changes are ignored');

  const byUrl = await createSource({ repository: pathToFileURL(work).href, path: 'registry.json' }, dir);
  t.equal(byUrl.describe(), `git ${work} HEAD registry.json`);
  t.same(((await byUrl.fetch(fetchRequest())) as SourceData).documents, [registryDocument(1)]);
});

t.test('git.auth is ignored (with a warning) for a local repository', async (t) => {
  const dir = t.testdir({});
  const bare = join(dir, 'registry.git');
  await createBareRepo(bare, { 'registry.json': registryText(1) });
  const { logger, lines } = capturingLogger();
  const source = await createSource(
    { repository: bare, path: 'registry.json', auth: { username: 'u', passwordFile: 'nope.txt' } },
    dir,
    undefined,
    logger,
  );
  t.same(((await source.fetch(fetchRequest())) as SourceData).documents, [registryDocument(1)]);
  t.match(lines.join('\n'), 'git.auth is ignored for a local repository');
});

t.test('local errors name the path', async (t) => {
  const dir = t.testdir({ plain: { 'registry.json': '{}' }, 'a-file': 'x' });
  const bare = join(dir, 'registry.git');
  const first = await createBareRepo(bare, { 'registry.json': registryText(1) });
  await commitFiles(bare, { 'registry.json': registryText(2) }, { branch: 'dev' });
  await createEmptyRepo(join(dir, 'empty.git'));
  const cases: [Record<string, unknown>, string][] = [
    [{ repository: 'missing' }, `repository not found: ${join(dir, 'missing')}`],
    [{ repository: 'plain' }, `${join(dir, 'plain')} is not a git repository`],
    [{ repository: 'a-file' }, `repository ${join(dir, 'a-file')} is not a directory`],
    [{ repository: 'empty.git' }, `repository ${join(dir, 'empty.git')} is empty (HEAD names no commit)`],
    [{ repository: bare, branch: 'nope' }, `branch "nope" not found in ${bare} (branches: dev, main)`],
    [{ repository: bare, tag: 'v1' }, `tag "v1" not found in ${bare} (the repository has no tags)`],
    [{ repository: bare, commit: 'a'.repeat(40) }, `commit aaaaaaa not found in ${bare} (full sha ${'a'.repeat(40)})`],
    [{ repository: bare, path: 'nope.json' }, `nope.json not found at commit ${first.slice(0, 7)} of ${bare}`],
  ];
  for (const [config, message] of cases) {
    const source = await createSource({ path: 'registry.json', ...config }, dir);
    await t.rejects(source.fetch(fetchRequest()), { name: 'SourceError', message }, message);
  }
});

t.test('a submodule-style .git file pointing at the git directory', async (t) => {
  const dir = t.testdir({});
  const bare = join(dir, 'modules', 'registry.git');
  await createBareRepo(bare, { 'registry.json': registryText(1) });
  const checkout = join(dir, 'checkout');
  await mkdir(checkout);
  await writeFile(join(checkout, '.git'), 'gitdir: ../modules/registry.git\n');
  const source = await createSource({ repository: checkout, path: 'registry.json' }, dir);
  t.same(((await source.fetch(fetchRequest())) as SourceData).documents, [registryDocument(1)]);
});
