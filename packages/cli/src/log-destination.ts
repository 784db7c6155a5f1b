import { pino, type DestinationStream } from 'pino';

/** A log destination that can be drained, as pino's `logger.flush()` expects. */
export interface FlushableDestination extends DestinationStream {
  flush(callback?: (error?: Error) => void): void;
}

/** Longest a line waits for others before it is written. */
export const FLUSH_DELAY_MS = 50;
/** Bytes gathered before they are written without waiting. */
const BATCH_BYTES = 16 * 1024;
/** Most UTF-8 bytes one UTF-16 code unit takes. */
const MAX_BYTES_PER_UNIT = 3;

/** Destinations with lines not written yet, drained when the process exits. */
const pendingDestinations = new Set<BatchedDestination>();
let exitHookInstalled = false;

/**
 * Gathers log lines and writes them to the file descriptor together, through pino's synchronous
 * destination (which also copes with a full pipe): when 16 KiB are pending, else 50 ms after the
 * first pending line. Each line is encoded once, into the batch; under load one system call
 * carries dozens of request lines. Lines still pending when the process exits are written then.
 */
class BatchedDestination implements FlushableDestination {
  /** pino's destination in buffer mode: its typings only admit strings, hence the casts to string. */
  readonly #target;
  #batch = Buffer.allocUnsafeSlow(BATCH_BYTES);
  #used = 0;
  #timerSet = false;

  constructor(fd: number) {
    this.#target = pino.destination({ fd, sync: true, contentMode: 'buffer' });
  }

  write(line: string): void {
    if (this.#used + line.length * MAX_BYTES_PER_UNIT > BATCH_BYTES) {
      this.flush();
      if (line.length * MAX_BYTES_PER_UNIT > BATCH_BYTES) {
        this.#target.write(Buffer.from(line) as unknown as string);
        return;
      }
    }
    if (this.#used === 0) pendingDestinations.add(this);
    this.#used += this.#batch.write(line, this.#used);
    if (!this.#timerSet) {
      this.#timerSet = true;
      setTimeout(() => {
        this.#timerSet = false;
        this.flush();
      }, FLUSH_DELAY_MS).unref();
    }
  }

  flush(callback?: (error?: Error) => void): void {
    if (this.#used > 0) {
      const chunk = this.#batch.subarray(0, this.#used);
      // A new batch: the written one is not reused, whatever the destination keeps of it.
      this.#batch = Buffer.allocUnsafeSlow(BATCH_BYTES);
      this.#used = 0;
      pendingDestinations.delete(this);
      this.#target.write(chunk as unknown as string);
    }
    callback?.();
  }
}

/** A destination on `fd` that writes lines in batches (see {@link BatchedDestination}). */
export function batchedDestination(fd: number): FlushableDestination {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const destination of pendingDestinations) destination.flush();
    });
  }
  return new BatchedDestination(fd);
}
