import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Request logging with one line per request instead of fastify's two: method, URL, status and
 * duration, at info (error when the response failed to be written).
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {
    // Folded into requestCompleted, which knows the status and duration.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) {
      reply.log.error({ ...line, err: error }, 'request errored');
    } else {
      reply.log.info(line, 'request completed');
    }
  }
}
