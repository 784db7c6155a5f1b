import { Agent, get, type ClientRequest } from 'node:http';

/** Time limit of one request, body included. */
export const READ_TIMEOUT_MS = 5000;

/** How often the loop checks whether requests are due. */
const TICK_MS = 5;

/** Options of {@link startReadLoop}. */
export interface ReadLoopOptions {
  /** Requests per second over all the URLs together (default 300). */
  ratePerSecond?: number;
}

/** One request that failed. */
export interface ReadFailure {
  url: string;
  /** The HTTP status, when an answer came (a failure with a status is a non-2xx answer, or a body cut short). */
  status?: number;
  /** What went wrong on the connection: refused, reset, timed out … */
  error?: string;
  /** `Date.now()` when the request was sent (comparable with the `time` of log lines). */
  at: number;
}

/** What a read loop saw. */
export interface ReadLoopResult {
  /** Requests sent (all of them settled): `ok + failures.length`. */
  total: number;
  /** Requests answered 2xx with their whole body. */
  ok: number;
  failures: ReadFailure[];
}

/** A running read loop. */
export interface ReadLoop {
  /**
   * Stops sending, waits for the requests in flight (each settles within {@link READ_TIMEOUT_MS}),
   * closes the connections and resolves with what the loop saw. Never rejects; idempotent.
   */
  stop(): Promise<ReadLoopResult>;
}

/**
 * GETs `urls` round-robin at about `ratePerSecond` requests per second, over keep-alive
 * connections, until {@link ReadLoop.stop} is called: the steady read traffic of a test that
 * checks reads keep working while something else goes wrong. A request is a failure when it is
 * answered with a non-2xx status, or fails (refused, reset, body cut short, no answer within
 * {@link READ_TIMEOUT_MS}). Requests do not wait for each other, so a slow server does not slow
 * the rate; a loop held up (a blocked event loop) sends at most a tenth of a second's worth at once
 * to catch up.
 *
 * Nothing it does throws or leaves a rejected promise behind; only invalid arguments throw, at once.
 *
 * @param urls - http:// URLs; none means no requests.
 * @example
 * const reads = startReadLoop([`${serve.baseUrl}/v0.1/servers`], { ratePerSecond: 200 });
 * // … break something …
 * const { total, failures } = await reads.stop();
 * t.same(failures, [], `no read failed (${total} requests)`);
 */
export function startReadLoop(urls: readonly string[], { ratePerSecond = 300 }: ReadLoopOptions = {}): ReadLoop {
  if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
    throw new RangeError(`startReadLoop: ratePerSecond must be a positive number, got ${ratePerSecond}`);
  }
  const agent = new Agent({ keepAlive: true });
  const result: ReadLoopResult = { total: 0, ok: 0, failures: [] };
  const inFlight = new Set<Promise<void>>();
  const maxBurst = Math.max(1, Math.ceil(ratePerSecond / 10));
  const startedAt = performance.now();
  let sent = 0;

  const tick = (): void => {
    if (urls.length === 0) return;
    // The first request goes at once, then one every 1/rate seconds.
    const due = Math.floor(((performance.now() - startedAt) * ratePerSecond) / 1000) + 1;
    sent = Math.max(sent, due - maxBurst);
    for (; sent < due; sent++) {
      const request = readOnce(urls[sent % urls.length] as string, agent).then((failure) => {
        result.total++;
        if (failure === undefined) result.ok++;
        else result.failures.push(failure);
        inFlight.delete(request);
      });
      inFlight.add(request);
    }
  };
  const timer = setInterval(tick, TICK_MS);
  tick();

  let stopped: Promise<ReadLoopResult> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await Promise.all(inFlight);
        agent.destroy();
        return result;
      })();
      return stopped;
    },
  };
}

/** One GET; resolves with its failure, or undefined for a 2xx read in full. Never rejects. */
function readOnce(url: string, agent: Agent): Promise<ReadFailure | undefined> {
  return new Promise((resolve) => {
    const at = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let request: ClientRequest | undefined;
    let settled = false;
    const settle = (failure?: { status?: number; error?: string }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(failure === undefined ? undefined : { url, ...failure, at });
    };
    try {
      request = get(url, { agent }, (response) => {
        const status = response.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        response.on('end', () => settle(ok ? undefined : { status }));
        response.on('error', (err) => settle({ status, error: describe(err) }));
        response.on('close', () => settle({ status, error: 'the connection closed before the end of the body' }));
        response.resume();
      });
    } catch (err) {
      settle({ error: describe(err) });
      return;
    }
    request.on('error', (err) => settle({ error: describe(err) }));
    timer = setTimeout(() => {
      settle({ error: `timed out after ${READ_TIMEOUT_MS} ms` });
      request?.destroy();
    }, READ_TIMEOUT_MS);
  });
}

/** An error's message, with its code when the message does not show it (`socket hang up (ECONNRESET)`). */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
