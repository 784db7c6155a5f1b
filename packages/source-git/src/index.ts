import { join } from 'node:path';
import { ConfigError, defineSourcePlugin, parseDuration, type SourceContext } from '@thv/registry-core';
import { configSchema, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, type GitSourceConfig } from './config-schema.js';
import { passwordFileCredentials, type CredentialsProvider } from './credentials.js';
import { refFromConfig } from './git-ref.js';
import { GitSource } from './git-source.js';
import { LocalRepository } from './local-repository.js';
import { RemoteRepository } from './remote-repository.js';
import { normalizeRepoPath } from './repo-path.js';
import { parseRepository } from './repository-location.js';

export { configSchema, COMMIT_PATTERN, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, type GitSourceConfig } from './config-schema.js';
export { GitSource, type GitSourceState } from './git-source.js';
export { MAX_CACHED_PACKS } from './remote-repository.js';

/** Directory of the cache (a bare clone) inside the source's data directory. */
export const CACHE_DIR_NAME = 'repo';

/** Builds the source for a validated `source.git` block. */
function createGitSource(config: GitSourceConfig, ctx: SourceContext): GitSource {
  if (typeof config.repository !== 'string' || config.repository === '') throw new ConfigError('git source needs a repository');
  if (typeof config.path !== 'string') throw new ConfigError('git source needs the path of the registry file in the repository');
  const ref = refFromConfig(config);
  const path = normalizeRepoPath(config.path);
  const timeoutText = config.timeout ?? DEFAULT_TIMEOUT;
  const timeoutMs = parseDuration(timeoutText);
  if (timeoutMs === undefined) throw new ConfigError(`git source timeout "${timeoutText}" is not a duration (e.g. 2m)`);
  const maxBytes = config.maxBytes ?? DEFAULT_MAX_BYTES;
  const location = parseRepository(config.repository, ctx.resolvePath);

  if (location.kind === 'local') {
    if (config.auth !== undefined) {
      ctx.logger.warn({ repository: location.path }, 'git.auth is ignored for a local repository');
    }
    const repository = new LocalRepository({ path: location.path, ref, file: path });
    return new GitSource(repository, { ref, path, maxBytes, timeoutMs, timeoutText, logger: ctx.logger });
  }

  let auth: { credentials: CredentialsProvider; credentialsFrom: 'git.auth' | 'url' } | undefined;
  if (config.auth !== undefined) {
    const credentials = passwordFileCredentials(config.auth.username, ctx.resolvePath(config.auth.passwordFile));
    auth = { credentials, credentialsFrom: 'git.auth' };
  } else if (location.urlCredentials !== undefined) {
    const fromUrl = location.urlCredentials;
    auth = { credentials: async () => fromUrl, credentialsFrom: 'url' };
  }
  const repository = new RemoteRepository({
    url: location.url,
    ref,
    path,
    gitdir: join(ctx.dataDir, CACHE_DIR_NAME),
    logger: ctx.logger,
  });
  return new GitSource(repository, {
    ref,
    path,
    maxBytes,
    timeoutMs,
    timeoutText,
    logger: ctx.logger,
    ...auth,
  });
}

/** The `git` source plugin: a registry file in a git repository (branch, tag or commit). */
export default defineSourcePlugin<typeof configSchema, GitSourceConfig>({
  type: 'git',
  configSchema,
  create: createGitSource,
});
