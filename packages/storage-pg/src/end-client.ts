import type pg from 'pg';

/** How long a connection's goodbye may take before its socket is dropped. */
export const END_TIMEOUT_MS = 1_000;

/**
 * Closes a connection without ever hanging: node-postgres' `end()` waits for the server to close
 * its side, which a server behind a network that drops packets never does. After `timeoutMs` the
 * socket is destroyed, so that neither a reconnection loop nor the process's exit waits for it.
 */
export async function endClient(client: pg.Client, timeoutMs = END_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = client.end().then(
    () => true,
    () => true,
  );
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    if (await Promise.race([ended, timedOut])) return;
  } finally {
    clearTimeout(timer);
  }
  // node-postgres has no public way to drop a connection; its socket is `connection.stream`.
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
