import { pino, type Logger } from 'pino';

/** Log levels the `--log-level` flag accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Paths pino removes from every log line, wherever a secret could appear. */
const REDACTED = ['password', '*.password', 'auth.password', 'headers.authorization', 'req.headers.authorization'];

/** Where log lines go: stdout (1), or stderr (2) when stdout carries a command's output. */
export type LogDestination = 1 | 2;

/** The process logger: JSON lines, secrets redacted. */
export function createLogger(level: string, fd: LogDestination = 1): Logger {
  const options = { level, redact: { paths: REDACTED, censor: '[redacted]' } };
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}
