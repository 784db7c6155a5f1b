import type { Logger } from '../interfaces/logger.js';

/** Exit code after a crash: a runtime failure, as the CLI's other failures. */
export const CRASH_EXIT_CODE = 1;

/** Options of {@link installCrashGuard}. */
export interface CrashGuardOptions {
  logger: Logger;
  /** Closes what can be closed (the HTTP server, syncs, storage); called once, on the first crash. */
  shutdown: () => Promise<void>;
  /** Longest the shutdown may take before the process exits anyway (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Ends the process (default `process.exit`). */
  exit?: (code: number) => void;
}

/**
 * The process-level safety net: an unhandled promise rejection or an uncaught exception is a bug
 * (every background loop handles its own errors), so it is logged at fatal with the error, the
 * server is shut down cleanly and the process exits with {@link CRASH_EXIT_CODE}. A shutdown that
 * hangs does not keep the process alive: it exits after `shutdownTimeoutMs` regardless, so a
 * supervisor (Kubernetes, systemd) restarts it rather than finding it silently stuck.
 * Returns the function that removes the handlers.
 */
export function installCrashGuard({ logger, shutdown, shutdownTimeoutMs = 10_000, exit = process.exit }: CrashGuardOptions): () => void {
  let crashed = false;
  const crash = (message: string) => (error: unknown) => {
    logger.fatal({ err: error }, message);
    if (crashed) return;
    crashed = true;
    const deadline = setTimeout(() => {
      logger.fatal({ shutdownTimeoutMs }, 'shutdown after a crash did not finish in time; exiting');
      exit(CRASH_EXIT_CODE);
    }, shutdownTimeoutMs);
    shutdown()
      .then(
        () => logger.info({ exitCode: CRASH_EXIT_CODE }, 'stopped after a crash'),
        (failure: unknown) => logger.error({ err: failure }, 'shutdown after a crash failed'),
      )
      .finally(() => {
        clearTimeout(deadline);
        exit(CRASH_EXIT_CODE);
      });
  };
  const onRejection = crash('unhandled promise rejection; shutting down');
  const onException = crash('uncaught exception; shutting down');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
