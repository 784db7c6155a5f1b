import { readFile } from 'node:fs/promises';
import { Args, Flags } from '@oclif/core';
import { ask, isInteractive, readFirstLine } from '../prompt.js';
import { StorageCommand, usageFailure } from '../storage-command.js';

/** What `prime-db` did, as printed and returned with `--json`. */
export interface PrimeDbReport {
  username: string;
  dryRun: boolean;
  /** The statements run (or, with `--dry-run`, that would run), the password masked. */
  statements: string[];
}

/** PostgreSQL's longest identifier (NAMEDATALEN - 1). */
const MAX_USERNAME_BYTES = 63;

/**
 * Prepares the least-privilege user the server connects as: idempotently creates the server's
 * role and the user with a password, and grants the role. The password comes from a file or
 * stdin, never from the command line, and is never printed.
 */
export default class PrimeDb extends StorageCommand {
  static override summary = 'Create (or update) the database user the server connects as.';
  static override description =
    'Idempotently creates the server role, the user USERNAME with the given password, and grants the role to the user; ' +
    'run it as the migration user after "migrate up". The password is read from --password-file or from the first line ' +
    'of stdin (on a terminal it is asked for without echo). The statements are printed with the password masked; ' +
    'with --dry-run they are only printed.';
  static override examples = [
    '<%= config.bin %> prime-db --config config.yaml registry_app --password-file /run/secrets/app-password',
    '<%= config.bin %> prime-db --config config.yaml registry_app < app-password.txt',
    '<%= config.bin %> prime-db --config config.yaml registry_app --password-file app-password.txt --dry-run',
  ];
  static override enableJsonFlag = true;
  static override args = {
    username: Args.string({ description: 'Name of the database user to create (at most 63 bytes).', required: true }),
  };
  static override flags = {
    'password-file': Flags.file({ summary: 'File whose content (trimmed) is the password; default: the first line of stdin.' }),
    'dry-run': Flags.boolean({ summary: 'Print the statements without running them.', default: false }),
  };

  async run(): Promise<PrimeDbReport> {
    const { args, flags } = await this.parse(PrimeDb);
    const username = args.username;
    checkUsername(username);
    const dryRun = flags['dry-run'];
    const statements = await this.withStorage(flags.config, flags['log-level'], async (scope) => {
      const users = this.usersOf(scope);
      const password = await readPassword(username, flags['password-file']);
      try {
        return (await users.prepare(username, password, { dryRun })).map((statement) => mask(statement, password));
      } catch (error) {
        // A database error must not carry the password to the terminal.
        if (error instanceof Error) error.message = mask(error.message, password);
        throw error;
      }
    });
    const report: PrimeDbReport = { username, dryRun, statements };
    for (const statement of statements) this.log(statement.trimEnd().endsWith(';') ? statement : `${statement};`);
    this.log(
      dryRun
        ? `dry run: ${statements.length} statement${statements.length === 1 ? '' : 's'} printed, nothing executed`
        : `user ${username} is ready (${statements.length} statement${statements.length === 1 ? '' : 's'} executed)`,
    );
    return report;
  }
}

/** A username PostgreSQL can hold: 1 to 63 bytes, no control characters. */
function checkUsername(username: string): void {
  if (username.length === 0) throw usageFailure('invalid username: it is empty');
  const bytes = Buffer.byteLength(username, 'utf8');
  if (bytes > MAX_USERNAME_BYTES) {
    throw usageFailure(`invalid username: it is ${bytes} bytes long, at most ${MAX_USERNAME_BYTES} are allowed`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(username)) throw usageFailure('invalid username: it contains control characters');
}

/** The password from `passwordFile` (trimmed), else from stdin; empty is a usage failure. */
async function readPassword(username: string, passwordFile: string | undefined): Promise<string> {
  let password: string;
  if (passwordFile !== undefined) {
    try {
      password = (await readFile(passwordFile, 'utf8')).trim();
    } catch (error) {
      throw usageFailure(`cannot read --password-file ${passwordFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (password === '') throw usageFailure(`the password is empty: --password-file ${passwordFile} holds no password`);
    return password;
  }
  password = isInteractive() ? await ask(`Password for ${username}: `, { hideInput: true }) : await readFirstLine();
  if (password === '') throw usageFailure('the password is empty: give it on the first line of stdin or with --password-file');
  return password;
}

/** `text` with every occurrence of `password` replaced by `***`. */
function mask(text: string, password: string): string {
  return password === '' ? text : text.split(password).join('***');
}
