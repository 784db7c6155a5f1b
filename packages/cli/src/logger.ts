import { pino, type Logger } from 'pino';

/** Log levels the `--log-level` flag accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Paths pino removes from every log line, wherever a secret could appear. */
const REDACTED = ['password', '*.password', 'auth.password', 'headers.authorization', 'req.headers.authorization'];

/** The process logger: JSON lines on stdout, secrets redacted. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED, censor: '[redacted]' } });
}
