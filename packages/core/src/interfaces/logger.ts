import type { Logger as PinoLogger } from 'pino';

/** The logger every component receives: a pino logger (usually a child with bound fields). */
export type Logger = PinoLogger;
