/**
 * Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts, whichever
 * comes first: work that ignores the signal cannot hold its caller forever. The promise itself
 * keeps running (callers that must not overlap with it wait for it separately), and a rejection
 * after the abort is never an unhandled one.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
