import { readFile } from 'node:fs/promises';
import { StorageError, type DatabaseConfig } from '@thv/registry-core';

/** Environment variable with the user's password, read when there is no `passwordFile`. */
export const PASSWORD_ENV = 'THV_DATABASE_PASSWORD';
/** Environment variable with the migration user's password, read when there is no `migrationPasswordFile`. */
export const MIGRATION_PASSWORD_ENV = 'THV_DATABASE_MIGRATION_PASSWORD';

/** The part of the `database:` block that says who connects and with which password. */
export type CredentialsConfig = Pick<DatabaseConfig, 'user' | 'passwordFile' | 'migrationPasswordFile'> &
  Partial<Pick<DatabaseConfig, 'migrationUser'>>;

/** Environment variables, as `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Who connects and with which password. A password is absent when no source gives one: the
 * connection then falls back to node-postgres' own defaults (`PGPASSWORD`, a pgpass file).
 */
export interface DatabaseCredentials {
  user: string;
  password?: string;
  migrationUser: string;
  migrationPassword?: string;
}

/** How a failed read of a password file is worded. */
const READ_ERRORS = new Map([
  ['ENOENT', 'no such file'],
  ['EACCES', 'permission denied'],
  ['EISDIR', 'it is a directory'],
]);

/**
 * Reads a password file: its content without surrounding white space. A missing or unreadable
 * file is a `StorageError` that names the field and the file, never the content.
 *
 * @param path - absolute path of the file
 * @param field - the config field that named it, for the message (`database.passwordFile`)
 */
export async function readPasswordFile(path: string, field = 'database.passwordFile'): Promise<string> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = READ_ERRORS.get(code ?? '') ?? code ?? 'unreadable';
    throw new StorageError(`cannot read ${field} ${path}: ${reason}`, { cause: error });
  }
  return content.trim();
}

/** The serving user's password: `passwordFile`, else `THV_DATABASE_PASSWORD`, else none. */
export async function resolvePassword(config: CredentialsConfig, env: Environment = process.env): Promise<string | undefined> {
  if (config.passwordFile !== undefined) return readPasswordFile(config.passwordFile, 'database.passwordFile');
  return nonEmpty(env[PASSWORD_ENV]);
}

/**
 * The migration user's password: `migrationPasswordFile`, else `THV_DATABASE_MIGRATION_PASSWORD`,
 * else the serving user's password (see {@link resolvePassword}).
 */
export async function resolveMigrationPassword(
  config: CredentialsConfig,
  env: Environment = process.env,
): Promise<string | undefined> {
  if (config.migrationPasswordFile !== undefined) {
    return readPasswordFile(config.migrationPasswordFile, 'database.migrationPasswordFile');
  }
  return nonEmpty(env[MIGRATION_PASSWORD_ENV]) ?? (await resolvePassword(config, env));
}

/** Both users and their passwords; the migration user defaults to `user`. */
export async function resolveCredentials(config: CredentialsConfig, env: Environment = process.env): Promise<DatabaseCredentials> {
  const [password, migrationPassword] = await Promise.all([resolvePassword(config, env), resolveMigrationPassword(config, env)]);
  return {
    user: config.user,
    ...(password === undefined ? {} : { password }),
    migrationUser: config.migrationUser ?? config.user,
    ...(migrationPassword === undefined ? {} : { migrationPassword }),
  };
}

/** An environment value, or undefined when unset or blank. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
