import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { AbortedError, SourceError, type SourceData } from '@thv/registry-core';
import { capturingLogger, createSource, fetchRequest, registryDocument, registryText } from './context.js';
import {
  commitFiles,
  createBareRepo,
  createEmptyRepo,
  startGitHttpServer,
  tag,
  type GitHttpServerOptions,
} from './helpers/git-http-server.js';

const PASSWORD = 's3cret-T0ken';

interface Served {
  dir: string;
  bare: string;
  url: string;
  base: string;
  first: string;
}

/** `repo.git` with registry.json on main, served with the given server options. */
async function served(t: Test, options: Omit<GitHttpServerOptions, 'root'> = {}, files: Record<string, string> = {}): Promise<Served> {
  const dir = t.testdir({ root: {}, 'password.txt': `  ${PASSWORD}\n`, 'wrong.txt': 'not-it' });
  const bare = join(dir, 'root', 'repo.git');
  const first = await createBareRepo(bare, { 'registry.json': registryText(1), ...files });
  const server = await startGitHttpServer({ root: join(dir, 'root'), ...options });
  t.teardown(server.close);
  return { dir, bare, url: `${server.url}/repo.git`, base: server.url, first };
}

/** A plain HTTP server on 127.0.0.1; closed at teardown. */
async function plainServer(t: Test, handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as Error,
  );
}

t.test('basic auth from git.auth: accepted, and the password is never shown', async (t) => {
  const { dir, url } = await served(t, { auth: { username: 'reader', password: PASSWORD } });
  const { logger, lines } = capturingLogger();
  const source = await createSource(
    { repository: url, path: 'registry.json', auth: { username: 'reader', passwordFile: 'password.txt' } },
    dir,
    undefined,
    logger,
  );
  t.equal(source.describe(), `git ${url} HEAD registry.json`);
  const result = (await source.fetch(fetchRequest())) as SourceData;
  t.same(result.documents, [registryDocument(1)]);
  t.ok(lines.length > 0, 'debug lines were written');
  t.notOk(lines.join('\n').includes(PASSWORD), 'the password is not in the logs');
});

t.test('basic auth refused: wrong password, none, credentials in the URL', async (t) => {
  const { dir, url, base } = await served(t, { auth: { username: 'reader', password: PASSWORD } });

  const wrong = await createSource(
    { repository: url, path: 'registry.json', auth: { username: 'reader', passwordFile: 'wrong.txt' } },
    dir,
  );
  const refused = await rejection(wrong.fetch(fetchRequest()));
  t.type(refused, SourceError);
  t.equal(refused.message, `authentication refused for ${url} (check git.auth)`);
  t.notOk(refused.message.includes('not-it'));

  const none = await createSource({ repository: url, path: 'registry.json' }, dir);
  await t.rejects(none.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `authentication refused for ${url}: the repository may be private (configure git.auth)`,
  });

  const withUserinfo = `${base.replace('http://', `http://reader:${encodeURIComponent(PASSWORD)}@`)}/repo.git`;
  const fromUrl = await createSource({ repository: withUserinfo, path: 'registry.json' }, dir, join(dir, 'url-data'));
  t.equal(fromUrl.describe(), `git ${url} HEAD registry.json`, 'describe drops the userinfo');
  t.same(((await fromUrl.fetch(fetchRequest())) as SourceData).documents, [registryDocument(1)]);

  const badUserinfo = `${base.replace('http://', 'http://reader:nope-nope@')}/repo.git`;
  const badUrl = await createSource({ repository: badUserinfo, path: 'registry.json' }, dir, join(dir, 'bad-data'));
  const badError = await rejection(badUrl.fetch(fetchRequest()));
  t.equal(badError.message, `authentication refused for ${url} (check the credentials in the repository URL)`);
  t.notOk(badError.message.includes('nope-nope'));
});

t.test('a password file that cannot be read', async (t) => {
  const { dir, url } = await served(t, { auth: { username: 'reader', password: PASSWORD } });
  const source = await createSource(
    { repository: url, path: 'registry.json', auth: { username: 'reader', passwordFile: 'missing.txt' } },
    dir,
  );
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `cannot read git.auth.passwordFile ${join(dir, 'missing.txt')}: no such file`,
  });
  const empty = t.testdir({ 'empty.txt': ' \n' });
  const emptySource = await createSource(
    { repository: url, path: 'registry.json', auth: { username: 'reader', passwordFile: join(empty, 'empty.txt') } },
    dir,
  );
  await t.rejects(emptySource.fetch(fetchRequest()), { message: `git.auth.passwordFile ${join(empty, 'empty.txt')} is empty` });
});

t.test('a repository that does not exist', async (t) => {
  const { dir, base } = await served(t);
  const source = await createSource({ repository: `${base}/nope.git`, path: 'registry.json' }, dir);
  await t.rejects(source.fetch(fetchRequest()), { name: 'SourceError', message: `repository not found: ${base}/nope.git` });
});

t.test('an empty repository', async (t) => {
  const { dir, base } = await served(t);
  await createEmptyRepo(join(dir, 'root', 'empty.git'));
  const source = await createSource({ repository: `${base}/empty.git`, path: 'registry.json' }, dir);
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `repository ${base}/empty.git is empty (it has no default branch)`,
  });
});

t.test('a server that is not a git server, and one that is down', async (t) => {
  const dir = t.testdir({});
  const html = await plainServer(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
  });
  const notGit = await createSource({ repository: `${html}/repo.git`, path: 'registry.json' }, dir);
  await t.rejects(notGit.fetch(fetchRequest()), {
    message: `${html}/repo.git did not answer as a git server (is it the URL of a git repository?)`,
  });

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const down = await createSource({ repository: `http://127.0.0.1:${port}/repo.git`, path: 'registry.json' }, dir);
  await t.rejects(down.fetch(fetchRequest()), { message: `connection refused fetching http://127.0.0.1:${port}/repo.git` });
});

t.test('a branch or tag that does not exist lists a few that do', async (t) => {
  const { dir, bare, url } = await served(t);
  await commitFiles(bare, { 'registry.json': registryText(2) }, { branch: 'dev' });
  const branch = await createSource({ repository: url, branch: 'nope', path: 'registry.json' }, dir);
  await t.rejects(branch.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `branch "nope" not found in ${url} (branches: dev, main)`,
  });

  const noTags = await createSource({ repository: url, tag: 'v9', path: 'registry.json' }, dir);
  await t.rejects(noTags.fetch(fetchRequest()), { message: `tag "v9" not found in ${url} (the repository has no tags)` });

  await tag(bare, 'v1.0.0');
  await tag(bare, 'v1.1.0', { message: 'annotated' });
  await t.rejects(noTags.fetch(fetchRequest()), { message: `tag "v9" not found in ${url} (tags: v1.0.0, v1.1.0)` });

  // A branch named like a prefix of existing ones is still not found.
  const prefix = await createSource({ repository: url, branch: 'ma', path: 'registry.json' }, dir);
  await t.rejects(prefix.fetch(fetchRequest()), { message: /^branch "ma" not found/ });
});

t.test('a path that is not a file at the commit', async (t) => {
  const { dir, url, first } = await served(t, {}, { 'data/other.json': '{}' });
  const short = first.slice(0, 7);
  const cases: [string, string][] = [
    ['nope.json', `nope.json not found at commit ${short} of ${url}`],
    ['data/nope.json', `data/nope.json not found at commit ${short} of ${url}`],
    ['data', `data is a directory, not a file, at commit ${short} of ${url}`],
    ['registry.json/x', `registry.json/x not found at commit ${short} of ${url} (registry.json is not a directory)`],
  ];
  for (const [path, message] of cases) {
    const source = await createSource({ repository: url, path }, dir);
    await t.rejects(source.fetch(fetchRequest()), { name: 'SourceError', message }, path);
  }
});

t.test('a registry file over maxBytes', async (t) => {
  const { dir, url, first } = await served(t);
  const source = await createSource({ repository: url, path: 'registry.json', maxBytes: 10 }, dir);
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `registry file registry.json at commit ${first.slice(0, 7)} of ${url} is larger than maxBytes (10 bytes)`,
  });
});

t.test('invalid JSON and an empty file name the path, the commit and the position', async (t) => {
  const { dir, url, first } = await served(t, {}, { 'bad.json': '{\n  "version": "1",\n  "servers": }\n', 'empty.json': '\n' });
  const where = `at commit ${first.slice(0, 7)} of ${url}`;
  const bad = await createSource({ repository: url, path: 'bad.json' }, dir);
  const err = await rejection(bad.fetch(fetchRequest()));
  t.type(err, SourceError);
  t.match(err.message, `registry file bad.json ${where} is not valid JSON: `);
  t.match(err.message, /\(line 3, column 14\)$/);

  const empty = await createSource({ repository: url, path: 'empty.json' }, dir);
  await t.rejects(empty.fetch(fetchRequest()), { message: `registry file empty.json ${where} is empty` });
});

t.test('a server that accepts and never answers: timeout', async (t) => {
  const dir = t.testdir({});
  const hanging = await plainServer(t, () => {});
  const source = await createSource({ repository: `${hanging}/repo.git`, path: 'registry.json', timeout: '200ms' }, dir);
  const started = performance.now();
  await t.rejects(source.fetch(fetchRequest()), {
    name: 'SourceError',
    message: `timed out after 200ms fetching ${hanging}/repo.git`,
  });
  t.ok(performance.now() - started < 2000, 'gave up at the timeout');
});

t.test('abort through the request signal', async (t) => {
  const dir = t.testdir({});
  const hanging = await plainServer(t, () => {});
  const source = await createSource({ repository: `${hanging}/repo.git`, path: 'registry.json' }, dir);
  const controller = new AbortController();
  const pending = source.fetch(fetchRequest({ signal: controller.signal }));
  setTimeout(() => controller.abort(), 50);
  const err = await rejection(pending);
  t.type(err, AbortedError);
  t.equal(err.message, `fetching ${hanging}/repo.git was aborted`);
  await t.rejects(source.fetch(fetchRequest({ signal: AbortSignal.abort() })), AbortedError);
});

t.test('a fetch abandoned during the download does not harm the next one', async (t) => {
  let posts = 0;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  // The second POST is the pack download (the first is the ref listing).
  const { dir, bare, url } = await served(t, {
    onRequest: async (req) => {
      if (req.method === 'POST' && ++posts === 2) await held;
    },
  });
  // The next fetch waits for the abandoned one's download to end, within its own timeout: 1 s
  // leaves room for a loaded machine.
  const source = await createSource({ repository: url, path: 'registry.json', timeout: '1s' }, dir);
  await t.rejects(source.fetch(fetchRequest()), { message: `timed out after 1s fetching ${url}` });

  const second = await commitFiles(bare, { 'registry.json': registryText(2) });
  const next = source.fetch(fetchRequest());
  release();
  const result = (await next) as SourceData;
  t.same(result.documents, [registryDocument(2)]);
  t.match(result.state, { commit: second });
});
