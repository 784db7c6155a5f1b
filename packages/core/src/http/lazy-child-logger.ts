import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

/** The log methods of a fastify logger, each forwarded to the child. */
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LevelName = (typeof LEVELS)[number];
type LogMethod = (...args: unknown[]) => void;

// The log methods, defined on the prototype by the class's static block.
export interface LazyChildLogger extends Record<LevelName, LogMethod> {}

/**
 * A request's logger that becomes `parent.child(bindings, options)` the first time something logs
 * through it. fastify makes one for every request, but a request that goes well logs nothing
 * through its own (its one line is written by the log controller), so the pino child it would
 * build every time (its bindings serialised, each level method bound) is skipped.
 */
export class LazyChildLogger implements FastifyBaseLogger {
  static {
    for (const level of LEVELS) {
      Object.defineProperty(this.prototype, level, {
        value(this: LazyChildLogger, ...args: unknown[]): void {
          this.#log(level, args);
        },
        writable: true,
        configurable: true,
      });
    }
  }

  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#resolve().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#resolve().child(bindings, options);
  }

  #log(level: LevelName, args: unknown[]): void {
    const child = this.#resolve();
    (child[level] as LogMethod).apply(child, args);
  }

  #resolve(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }
}
