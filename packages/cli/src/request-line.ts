import type { RequestLineWriter } from '@thv/registry-core/host';
import { pino, type DestinationStream, type Logger } from 'pino';

const { chindingsSym, streamSym } = pino.symbols;
const INFO = pino.levels.values.info!;
/** Characters a JSON string must escape, and lone surrogates, which JSON.stringify escapes too. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON: quoted as it is when nothing in it needs escaping, the common case. */
function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * The request line of a logger made by `createLogger`, written straight to its destination:
 * the same JSON, keys in the same order, as `log.info(line, 'request completed')` writes with
 * pino's default formatting, at about half the cost of pino's generic serialiser. The line is
 * written once per request; on a small answer that serialiser was a sixth of all the work. None of
 * its fields is one of the redacted paths.
 */
export const directRequestLine: RequestLineWriter = (log, line) => {
  const logger = log as Logger & Record<symbol, unknown>;
  if (!logger.isLevelEnabled('info')) return;
  // The logger's serialised bindings (pid, hostname) and its destination.
  const bindings = logger[chindingsSym] as string;
  (logger[streamSym] as DestinationStream).write(
    `{"level":${INFO},"time":${Date.now()}${bindings},"reqId":${jsonString(line.reqId)},"method":${jsonString(line.method)},` +
      `"url":${jsonString(line.url)},"statusCode":${line.statusCode},"durationMs":${line.durationMs},"msg":"request completed"}\n`,
  );
};
