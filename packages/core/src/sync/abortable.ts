/**
 * Settles like `work`, or rejects with the signal's reason as soon as `signal` aborts, whichever
 * comes first: a plugin that ignores the signal cannot hold a sync forever. `work` keeps its own
 * handlers, so a rejection after the abort is never an unhandled one.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
