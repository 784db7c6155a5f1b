import { PluginContractError } from '../errors.js';

/** How one contract check went. `skip`: not run (no hook given, or an earlier check failed). */
export type CheckOutcome = 'pass' | 'warn' | 'fail' | 'skip';

/** One check of a contract run. */
export interface ContractCheck {
  /** Short stable name, e.g. `descriptor`, `first fetch`, `abort`. */
  readonly name: string;
  readonly outcome: CheckOutcome;
  /** What was seen: why it failed, what to improve, or what passed (e.g. which error an abort raised). */
  readonly message: string;
  /** The error behind a `fail` or `warn`, when there was one. */
  readonly error?: unknown;
}

/** The result of a contract run. A run never throws for a violation; it records it here. */
export interface ContractReport {
  /** What was checked, e.g. `source plugin "dir"`. */
  readonly subject: string;
  /** True when no check failed (warnings allowed). */
  readonly ok: boolean;
  /** Every check, in the order run. */
  readonly checks: readonly ContractCheck[];
  /** The checks that failed. */
  readonly failures: readonly ContractCheck[];
  /** The checks that passed with a warning. */
  readonly warnings: readonly ContractCheck[];
}

/** Thrown inside a check to fail it with exactly this message (and the plugin's error as `cause`). */
export class CheckFailure extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CheckFailure';
  }
}

/** Collects checks while a contract runs; `stopped` turns the remaining checks into skips. */
export class CheckRecorder {
  /** What is checked; refined once the plugin's type is known. */
  subject: string;
  readonly #checks: ContractCheck[] = [];
  /** Set when a check failed so badly that the rest cannot run. */
  stopped: string | undefined;

  constructor(subject: string) {
    this.subject = subject;
  }

  /** Records a check. */
  add(name: string, outcome: CheckOutcome, message: string, error?: unknown): void {
    this.#checks.push(error === undefined ? { name, outcome, message } : { name, outcome, message, error });
  }

  /** Records a failure and stops the run: later checks are recorded as skipped. */
  stop(name: string, message: string, error?: unknown): void {
    this.add(name, 'fail', message, error);
    this.stopped = name;
  }

  /**
   * Runs `check` unless the run was stopped. A throw inside it is recorded as a failure of `name`
   * (so a bug in the plugin never escapes as an unexplained rejection); it stops the run when the
   * check is `critical`, i.e. when later checks depend on it.
   */
  async run(name: string, check: () => Promise<void> | void, critical = false): Promise<void> {
    if (this.stopped !== undefined) {
      this.add(name, 'skip', `not run: "${this.stopped}" failed`);
      return;
    }
    try {
      await check();
    } catch (error) {
      const [message, cause] = error instanceof CheckFailure ? [error.message, error.cause] : [`threw ${describeError(error)}`, error];
      if (critical) this.stop(name, message, cause);
      else this.add(name, 'fail', message, cause);
    }
  }

  /** The finished report. */
  report(): ContractReport {
    const checks = [...this.#checks];
    const failures = checks.filter((check) => check.outcome === 'fail');
    return {
      subject: this.subject,
      ok: failures.length === 0,
      checks,
      failures,
      warnings: checks.filter((check) => check.outcome === 'warn'),
    };
  }
}

const MARKS: Readonly<Record<CheckOutcome, string>> = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/**
 * The report as text, one line per check, for a test's failure message or a console:
 *
 * ```text
 * source plugin "dir": 1 failed, 1 warning
 *   ok   descriptor: kind source, type "dir", plugin API 1
 *   FAIL abort: fetch resolved although its signal was already aborted
 * ```
 */
export function formatContractReport(report: ContractReport): string {
  const failed = report.failures.length;
  const warned = report.warnings.length;
  const summary = failed === 0 && warned === 0 ? 'contract kept' : `${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}`;
  const lines = report.checks.map((check) => `  ${MARKS[check.outcome]} ${check.name}: ${check.message}`);
  return [`${report.subject}: ${summary}`, ...lines].join('\n');
}

/**
 * Throws a `PluginContractError` when the report has failures: its message is the whole
 * formatted report, and its `errors` hold one `{ path: check, message }` per failure. Returns the
 * report otherwise, so warnings can still be inspected.
 */
export function assertContractReport(report: ContractReport): ContractReport {
  if (report.ok) return report;
  throw new PluginContractError(formatContractReport(report), {
    errors: report.failures.map((check) => ({ path: check.name, message: check.message })),
  });
}

/** `SourceError: missing directory /x` (name and first line of the message), for check messages. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `a non-Error value (${typeof error}: ${String(error)})`;
  const code = (error as { code?: unknown }).code;
  const label = typeof code === 'string' ? `${error.name} [${code}]` : error.name;
  const firstLine = error.message.split('\n', 1)[0] ?? '';
  return firstLine === '' ? `${label} with an empty message` : `${label}: ${firstLine}`;
}
