import { readFile } from 'node:fs/promises';
import { SourceError } from '@thv/registry-core';

/** HTTP basic auth credentials. The password is never logged nor put in an error. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Gives the credentials to use for one fetch. */
export type CredentialsProvider = () => Promise<Credentials>;

/**
 * Credentials whose password is read from `passwordFile` (an absolute path) at each fetch, so a
 * rotated token is picked up without a restart. Surrounding whitespace is trimmed.
 */
export function passwordFileCredentials(username: string, passwordFile: string): CredentialsProvider {
  return async () => {
    let text: string;
    try {
      text = await readFile(passwordFile, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'read failed');
      throw new SourceError(`cannot read git.auth.passwordFile ${passwordFile}: ${reason}`, { cause: err });
    }
    const password = text.trim();
    if (password === '') throw new SourceError(`git.auth.passwordFile ${passwordFile} is empty`);
    return { username, password };
  };
}
