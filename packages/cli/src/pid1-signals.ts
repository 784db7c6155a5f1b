import { constants } from 'node:os';

/** The signals a container runtime or an operator stops a command with. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

let claimed = false;

/**
 * Makes SIGTERM and SIGINT end the process when it runs as PID 1 (in a container without an
 * init). The kernel drops a signal sent to PID 1 unless a handler takes it (Node's own re-raise
 * included), so a SIGTERM that arrives while the CLI is still loading would be lost, and the
 * container killed only after its grace period. Until a command claims these signals
 * ({@link claimStopSignals}: `serve`, for its clean shutdown), the listeners installed here end
 * the process with 128 + the signal number, as the default action does elsewhere. Called by the
 * bin before anything else loads.
 *
 * @param pid the process id; only PID 1 changes anything.
 * @returns whether the listeners were installed.
 */
export function endOnStopSignalsAsPid1(pid: number = process.pid): boolean {
  if (pid !== 1) return false;
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (!claimed) process.exit(128 + constants.signals[signal]);
    });
  }
  return true;
}

/**
 * Says that the running command handles SIGTERM and SIGINT itself, so that the PID 1 fallback of
 * {@link endOnStopSignalsAsPid1} leaves them to it. Call it when installing the command's own
 * listeners.
 */
export function claimStopSignals(): void {
  claimed = true;
}
