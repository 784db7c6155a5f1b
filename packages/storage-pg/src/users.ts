import { StorageError, type StorageUsers } from '@thv/registry-core';
import pg from 'pg';
import { redact } from './database-errors.js';
import type { MigrationConnector } from './migrations.js';
import { endClient } from './end-client.js';

/** The role that carries the server's privileges on the data tables (created by migration 2). */
export const SERVER_ROLE = 'toolhive_registry_server';

/** What replaces the password in the statements `prepare` returns. */
export const MASKED_PASSWORD = "'***'";

const PASSWORD_MARK = '\u0000password\u0000';

/** The statements of {@link userStatements}: to run, and to show. */
export interface UserStatements {
  /** With the password: run these. */
  statements: string[];
  /** With the password replaced by `'***'`: print or return these. */
  masked: string[];
}

/**
 * The statements that idempotently prepare `username`: create the server role when missing,
 * create the user with LOGIN and the password (or, when it exists, set LOGIN and the password),
 * grant it the role and CONNECT on the database. Identifiers are quoted with `escapeIdentifier`,
 * the password with `escapeLiteral`.
 */
export function userStatements(username: string, password: string, database: string): UserStatements {
  if (username === '') throw new StorageError('prime-db: the username must not be empty');
  if (username === SERVER_ROLE) throw new StorageError(`prime-db: the username must not be the server role ${SERVER_ROLE}`);
  if (password === '') throw new StorageError('prime-db: the password must not be empty');
  const user = pg.escapeIdentifier(username);
  const templates = [
    doBlock(
      `IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${pg.escapeLiteral(SERVER_ROLE)}) THEN\n` +
        `    CREATE ROLE ${pg.escapeIdentifier(SERVER_ROLE)} NOLOGIN;\n` +
        `  END IF;`,
      password,
    ),
    doBlock(
      `IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${pg.escapeLiteral(username)}) THEN\n` +
        `    ALTER ROLE ${user} WITH LOGIN PASSWORD ${PASSWORD_MARK};\n` +
        `  ELSE\n` +
        `    CREATE ROLE ${user} WITH LOGIN PASSWORD ${PASSWORD_MARK};\n` +
        `  END IF;`,
      password,
    ),
    `GRANT ${pg.escapeIdentifier(SERVER_ROLE)} TO ${user}`,
    `GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(database)} TO ${user}`,
  ];
  const literal = pg.escapeLiteral(password).trimStart();
  return {
    statements: templates.map((template) => template.replaceAll(PASSWORD_MARK, literal)),
    masked: templates.map((template) => template.replaceAll(PASSWORD_MARK, MASKED_PASSWORD)),
  };
}

/** A DO block whose dollar-quote tag occurs nowhere in its body, whatever the password holds. */
function doBlock(body: string, password: string): string {
  const text = `${body}\n${password}`;
  let tag = '$thv$';
  for (let n = 1; text.includes(tag.slice(0, -1)); n += 1) tag = `$thv${n}$`;
  return `DO ${tag}\nBEGIN\n  ${body}\nEND\n${tag}`;
}

/**
 * `prime-db`: prepares the least-privilege user the server connects as, running the statements
 * of {@link userStatements} in one transaction as the migration user.
 */
export class PgUsers implements StorageUsers {
  readonly #connect: MigrationConnector;
  readonly #database: string;

  constructor(connect: MigrationConnector, database: string) {
    this.#connect = connect;
    this.#database = database;
  }

  async prepare(username: string, password: string, options: { dryRun: boolean }): Promise<string[]> {
    const { statements, masked } = userStatements(username, password, this.#database);
    if (options.dryRun) return masked;
    const client = await this.#connect();
    try {
      await client.query('BEGIN');
      for (const statement of statements) await client.query(statement);
      await client.query('COMMIT');
      return masked;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // No `cause`: a PL/pgSQL error's context quotes the statement, password included.
      const reason = error instanceof Error ? error.message : String(error);
      const code = (error as { code?: unknown }).code;
      const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : '';
      throw new StorageError(redact(`prime-db: preparing user ${username} failed: ${reason}${sqlstate}`, [password]));
    } finally {
      await endClient(client);
    }
  }
}
