/**
 * Real git repositories for tests: bare repositories made with the `git` CLI and served over
 * smart HTTP by `git http-backend` on 127.0.0.1, optionally behind basic auth.
 *
 * Self-contained (node built-ins only) so other packages' tests can import it by relative path.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Files of a commit: path inside the repository → content. `null` deletes the path. */
export type RepoFiles = Record<string, string | null>;

/** Options of a commit. */
export interface CommitOptions {
  /** Branch to commit on (default `main`). */
  branch?: string;
  /** Commit message (default `update <paths>`). */
  message?: string;
}

/** Result of a git command. */
interface GitResult {
  stdout: string;
  stderr: string;
}

// Commits made by tests are reproducible and never read the user's or the system's git config.
const GIT_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Registry Tests',
  GIT_AUTHOR_EMAIL: 'tests@example.com',
  GIT_COMMITTER_NAME: 'Registry Tests',
  GIT_COMMITTER_EMAIL: 'tests@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

/** Runs `git` with `args`; rejects with git's stderr on a non-zero exit. */
export function git(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...GIT_ENV, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (code === 0) resolve(result);
      else reject(new Error(`git ${args.join(' ')} exited with ${code}: ${result.stderr.trim()}`));
    });
    if (child.stdin !== null) {
      // git may exit before reading all of its input; its exit code tells what happened.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

/** `git --git-dir=<bare> …`, trimmed stdout. */
async function gitIn(bareRepoDir: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<string> {
  return (await git([`--git-dir=${bareRepoDir}`, ...args], options)).stdout.trim();
}

/** The commit a ref points at, or undefined when the ref does not exist. */
export async function revParse(bareRepoDir: string, ref: string): Promise<string | undefined> {
  try {
    return await gitIn(bareRepoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    return undefined;
  }
}

/**
 * Writes a commit of `files` on top of `parent` (or a root commit) with plumbing commands and a
 * throw-away index, so no working tree is needed. Returns the new commit's sha.
 */
async function writeCommit(bareRepoDir: string, files: RepoFiles, parent: string | undefined, message: string): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'git-index-'));
  const env = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    if (parent !== undefined) await gitIn(bareRepoDir, ['read-tree', parent], { env });
    for (const [path, content] of Object.entries(files)) {
      if (content === null) {
        await gitIn(bareRepoDir, ['update-index', '--force-remove', '--', path], { env });
        continue;
      }
      const blob = await gitIn(bareRepoDir, ['hash-object', '-w', '--stdin'], { input: content });
      await gitIn(bareRepoDir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], { env });
    }
    const tree = await gitIn(bareRepoDir, ['write-tree'], { env });
    const parents = parent === undefined ? [] : ['-p', parent];
    return await gitIn(bareRepoDir, ['commit-tree', tree, ...parents, '-m', message]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Creates a bare repository at `dir` whose branch (default `main`, also its HEAD) holds one commit
 * of `files`. Returns that commit's sha.
 */
export async function createBareRepo(dir: string, files: RepoFiles, options: { branch?: string } = {}): Promise<string> {
  const branch = options.branch ?? 'main';
  await mkdir(dirname(dir), { recursive: true });
  await git(['init', '--quiet', '--bare', `--initial-branch=${branch}`, dir]);
  return commitFiles(dir, files, { branch, message: 'initial commit' });
}

/** Creates an empty bare repository (no commits) at `dir`. */
export async function createEmptyRepo(dir: string, options: { branch?: string } = {}): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  await git(['init', '--quiet', '--bare', `--initial-branch=${options.branch ?? 'main'}`, dir]);
}

/**
 * Commits `files` on a branch of a bare repository, like a push of one new commit. A branch that
 * does not exist yet starts from the repository's HEAD commit (or as a root commit in an empty
 * repository). Returns the new commit's sha.
 */
export async function commitFiles(bareRepoDir: string, files: RepoFiles, options: CommitOptions = {}): Promise<string> {
  const branch = options.branch ?? 'main';
  const ref = `refs/heads/${branch}`;
  const current = await revParse(bareRepoDir, ref);
  const parent = current ?? (await revParse(bareRepoDir, 'HEAD'));
  const commit = await writeCommit(bareRepoDir, files, parent, options.message ?? `update ${Object.keys(files).join(', ')}`);
  await gitIn(bareRepoDir, ['update-ref', ref, commit, ...(current === undefined ? [] : [current])]);
  return commit;
}

/** Commits one file on a branch of a bare repository; see {@link commitFiles}. Returns the new commit's sha. */
export function commitFile(bareRepoDir: string, path: string, content: string | null, options: CommitOptions = {}): Promise<string> {
  return commitFiles(bareRepoDir, { [path]: content }, options);
}

/**
 * Rewrites a branch like `git push --force`: the branch moves to a new commit of `files` made on
 * top of the tip's parent (a new root commit when the tip has none), so the old tip is no longer
 * an ancestor. Returns the new commit's sha.
 */
export async function forcePush(bareRepoDir: string, files: RepoFiles, options: CommitOptions = {}): Promise<string> {
  const branch = options.branch ?? 'main';
  const ref = `refs/heads/${branch}`;
  const tip = await revParse(bareRepoDir, ref);
  if (tip === undefined) throw new Error(`forcePush: branch ${branch} does not exist in ${bareRepoDir}`);
  const base = await revParse(bareRepoDir, `${tip}^`);
  // read-tree of the base keeps the files the rewritten commit does not mention.
  const commit = await writeCommit(bareRepoDir, files, base, options.message ?? `rewrite ${branch}`);
  await gitIn(bareRepoDir, ['update-ref', ref, commit, tip]);
  return commit;
}

/**
 * Tags a commit (default: the HEAD of the repository). With `message` the tag is annotated,
 * otherwise lightweight. Returns the tagged commit's sha.
 */
export async function tag(bareRepoDir: string, name: string, options: { ref?: string; message?: string } = {}): Promise<string> {
  const target = await revParse(bareRepoDir, options.ref ?? 'HEAD');
  if (target === undefined) throw new Error(`tag: ${options.ref ?? 'HEAD'} does not exist in ${bareRepoDir}`);
  const annotated = options.message === undefined ? [] : ['-a', '-m', options.message];
  await gitIn(bareRepoDir, ['tag', ...annotated, name, target]);
  return target;
}

/** Options of {@link startGitHttpServer}. */
export interface GitHttpServerOptions {
  /** Directory holding the bare repositories: `<root>/<name>.git` is served at `<url>/<name>.git`. */
  root: string;
  /** When set, every request needs these basic auth credentials (else 401). */
  auth?: { username: string; password: string };
  /**
   * Called before each request is answered; a returned promise delays it (tests use this to make a
   * server slow or to hold the pack download).
   */
  onRequest?: (request: IncomingMessage) => void | Promise<void>;
}

/** One request the server received. */
export interface GitHttpRequestRecord {
  method: string;
  /** Path and query string, e.g. `/repo.git/info/refs?service=git-upload-pack`. */
  url: string;
  /** Status code answered. */
  status?: number;
}

/** A running git smart HTTP server. */
export interface GitHttpServer {
  /** Base URL, e.g. `http://127.0.0.1:43121`; a repository is at `${url}/<name>.git`. */
  url: string;
  /** Every request received, in order. */
  requests: GitHttpRequestRecord[];
  /** Stops the server, cutting open connections. */
  close(): Promise<void>;
}

/**
 * Serves the bare repositories under `root` over git smart HTTP on 127.0.0.1 (a free port), with
 * `git http-backend` run as a CGI program for each request.
 */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: GitHttpRequestRecord[] = [];
  const children = new Set<ReturnType<typeof spawn>>();
  const expected =
    options.auth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;

  const server = createServer((req, res) => {
    const record: GitHttpRequestRecord = { method: req.method ?? 'GET', url: req.url ?? '/' };
    requests.push(record);
    void (async () => {
      await options.onRequest?.(req);
      if (expected !== undefined && req.headers.authorization !== expected) {
        record.status = 401;
        res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' }).end('authentication required');
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const child = spawn('git', ['http-backend'], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          ...GIT_ENV,
          GIT_PROJECT_ROOT: options.root,
          GIT_HTTP_EXPORT_ALL: '1',
          PATH_INFO: decodeURIComponent(url.pathname),
          REQUEST_METHOD: req.method ?? 'GET',
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          ...(req.headers['content-length'] !== undefined && { CONTENT_LENGTH: req.headers['content-length'] }),
          ...(req.headers['content-encoding'] !== undefined && { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }),
          ...(typeof req.headers['git-protocol'] === 'string' && { GIT_PROTOCOL: req.headers['git-protocol'] }),
          ...(options.auth !== undefined && { REMOTE_USER: options.auth.username }),
          REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
        },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      children.add(child);
      child.on('close', () => children.delete(child));
      child.on('error', () => res.destroy());
      child.stdin.on('error', () => {});
      req.pipe(child.stdin);

      // The CGI answer: headers, a blank line, then the body, streamed as it comes.
      let head = Buffer.alloc(0);
      let headerDone = false;
      child.stdout.on('data', (chunk: Buffer) => {
        if (headerDone) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const crlf = head.indexOf('\r\n\r\n');
        const lf = head.indexOf('\n\n');
        const end = crlf !== -1 && (lf === -1 || crlf < lf) ? { at: crlf, length: 4 } : lf !== -1 ? { at: lf, length: 2 } : undefined;
        if (end === undefined) return;
        headerDone = true;
        let status = 200;
        const headers: Record<string, string> = {};
        for (const line of head.subarray(0, end.at).toString('latin1').split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon === -1) continue;
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
          else headers[name] = value;
        }
        record.status = status;
        res.writeHead(status, headers);
        res.write(head.subarray(end.at + end.length));
      });
      child.stdout.on('end', () => {
        if (!headerDone) res.writeHead(502).end('git http-backend sent no headers');
        else res.end();
      });
    })().catch(() => res.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const child of children) child.kill();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
