import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

/** What the info line of a completed request says. */
export interface RequestLine {
  /** fastify's request id, which the request's other log lines carry too. */
  reqId: string;
  method: string;
  url: string;
  statusCode: number;
  /** Milliseconds from the request's arrival to the end of its response, to two decimals. */
  durationMs: number;
}

/**
 * Writes the info line of a completed request through `log`, the server's logger. The line is
 * logged for every request, so a host that knows its logger's output format may write it more
 * cheaply than pino's generic serialiser.
 */
export type RequestLineWriter = (log: FastifyBaseLogger, line: RequestLine) => void;

/** The default {@link RequestLineWriter}: `log.info(line, 'request completed')`. */
export const logRequestLine: RequestLineWriter = (log, line) => log.info(line, 'request completed');

/**
 * Request logging with one line per request instead of fastify's two: method, URL, status and
 * duration, at info through a {@link RequestLineWriter} (at error, with the error, when the
 * response failed to be written).
 */
export class RequestLogController extends LogController {
  readonly #writeLine: RequestLineWriter;

  constructor(writeLine: RequestLineWriter = logRequestLine) {
    super();
    this.#writeLine = writeLine;
  }

  override incomingRequest(): void {
    // Folded into requestCompleted, which knows the status and duration.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line: RequestLine = {
      reqId: request.id,
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    // The server's logger with the request id in the line reads the same as the request's own
    // logger, which then need not be built (see LazyChildLogger).
    const log = request.server.log;
    if (error) {
      log.error({ ...line, err: error }, 'request errored');
    } else {
      this.#writeLine(log, line);
    }
  }
}
