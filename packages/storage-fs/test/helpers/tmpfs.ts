/**
 * Small real disks for tests: a tmpfs mounted for each test, from node built-ins only (the CLI's
 * tests import this file too). Mounting needs root (or CAP_SYS_ADMIN) on Linux; elsewhere
 * {@link tmpfsDisks} says why, for the tests to be skipped.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the file's top-level `t` must offer: tap's `Test` does. */
export interface TestDirOwner {
  testdir(content: Record<string, never>): string;
}

/** What a test's `t` must offer: tap's `Test` does. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** The tmpfs disks of one test file, from {@link tmpfsDisks}. */
export interface TmpfsDisks {
  /**
   * The `skip` option of the tests that need a disk: false when a tmpfs can be mounted here, else
   * `skipped: <why not>`.
   */
  skip: false | string;
  /**
   * Mounts a fresh small tmpfs in a subfolder of the file's test dir and returns it. It is unmounted
   * at the test's teardown, or at process exit should the test die before its teardown.
   */
  smallDisk(t: Teardown): Promise<string>;
}

/**
 * Sets up the tmpfs disks of a test file, of `size` each (tmpfs `size=` syntax: `512k`, `1m`), and
 * tries once, on a scratch dir, whether one can be mounted here.
 *
 * Call it once, at the top level, with the file's top-level `t`: the disks are mounted in that
 * test's dir, removed once every test is done, rather than in each test's own dir, which tap removes
 * before the test's teardown could unmount them.
 */
export async function tmpfsDisks(t: TestDirOwner, size: string): Promise<TmpfsDisks> {
  const fixtures = t.testdir({});
  let disks = 0;
  const mount = async (dir: string): Promise<void> => {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { timeout: 5000 });
  };
  const problem = await mountProblem(join(fixtures, 'probe'), mount);
  return {
    skip: problem === undefined ? false : `skipped: ${problem}`,
    async smallDisk(t: Teardown): Promise<string> {
      disks += 1;
      const dir = join(fixtures, `disk-${disks}`);
      await mkdir(dir);
      await mount(dir);
      const atExit = (): void => {
        try {
          execFileSync('umount', ['-l', dir], { stdio: 'ignore', timeout: 5000 });
        } catch {
          // Already unmounted.
        }
      };
      process.once('exit', atExit);
      t.teardown(async () => {
        process.removeListener('exit', atExit);
        await unmount(dir);
      });
      return dir;
    },
  };
}

/** Why a tmpfs cannot be mounted here, or undefined when it can (tried once, on `dir`). */
async function mountProblem(dir: string, mount: (dir: string) => Promise<void>): Promise<string | undefined> {
  if (process.platform !== 'linux') return `mounting a tmpfs needs Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return `mounting a tmpfs needs root, this process runs as uid ${process.getuid?.()}`;
  await mkdir(dir);
  try {
    await mount(dir);
  } catch (err) {
    const { stderr, message } = err as Error & { stderr?: string };
    const reason = (stderr?.trim() || message).split('\n')[0];
    return `cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): ${reason}`;
  }
  await unmount(dir);
  return undefined;
}

async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir], { timeout: 5000 });
  } catch {
    // Busy: detach it now, the kernel frees it once the last file is closed.
    await run('umount', ['-l', dir], { timeout: 5000 });
  }
}
