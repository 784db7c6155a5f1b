import { ErrorKinds } from '../errors.js';
import type { SourceContext, SourceData, SourceFetchRequest, SourceFetchResult, SourceHandler } from '../interfaces/source.js';
import { collectEntries, type CollectedEntries } from '../sync/collect.js';
import { createSourceContext } from './context.js';
import { count, previousOf, resultProblem, short } from './fetch-result.js';
import { checkConfigSchema, checkCreate, checkDescriptor } from './descriptor.js';
import { assertContractReport, CheckRecorder, describeError, type ContractReport } from './report.js';
import { settleWithin, type Settled } from './settle.js';

/** What {@link checkSourcePlugin} needs besides the plugin. */
export interface SourceContractOptions {
  /** The plugin's block (`source.<type>`) as a user would write it; it must pass the plugin's schema. */
  config: unknown;
  /**
   * Parts of the context to use instead of the defaults: a silent logger, registry
   * `contract-test`, and a temporary directory (removed afterwards) as `configDir`, with `dataDir`
   * inside it. Give `configDir` when `config` holds paths relative to your fixtures.
   */
  context?: Partial<SourceContext>;
  /**
   * Changes the source's data (write a file, bump a fixture server's response). When given, the
   * next fetch, which may answer `unchanged`, must deliver data with a new fingerprint.
   */
  mutate?: (context: SourceContext) => void | Promise<void>;
  /**
   * Makes the source fail (delete its file, make its server answer 500). Runs after every other
   * check; the next fetch must then reject with an Error with a readable message, ideally a `SourceError`.
   */
  breakIt?: (context: SourceContext) => void | Promise<void>;
  /** Time limit of each normal fetch, in ms (default 30 000). */
  timeoutMs?: number;
  /** How soon a fetch given an already-aborted signal must reject, in ms (default 2 000). */
  abortTimeoutMs?: number;
}

/** A {@link ContractReport} of a source plugin. */
export interface SourceContractReport extends ContractReport {
  /** What the first fetch delivered. */
  readonly data?: SourceData;
  /** The first fetch's entries as a sync would see them: formats converted, invalid entries skipped. */
  readonly collected?: CollectedEntries;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_ABORT_TIMEOUT_MS = 2_000;
// V8's stack frame lines: a message holding one has the stack pasted into it.
const STACK_LINE = /\n\s+at \S/;

/**
 * Runs the source plugin contract against `plugin` (the default export of a plugin module, or the
 * module itself) and reports every check; it throws only for a bug in the kit itself. Checks, in order:
 *
 * 1. `descriptor`: made by `defineSourcePlugin` (kind, plugin API version, type, configSchema, create);
 * 2. `config schema`: compiles with core's validator and accepts `options.config`;
 * 3. `create`: returns an object with `fetch` and `describe`;
 * 4. `describe`: a non-empty string;
 * 5. `first fetch`: documents and/or entries with a non-empty fingerprint, that core can read
 *    (documents in a known format; invalid entries are a warning, as core skips them);
 * 6. `unchanged`: a fetch given the first result as `previous` with `allowUnchanged: true` answers
 *    `{ unchanged: true }` or the same fingerprint;
 * 7. `forced`: the same with `allowUnchanged: false` returns data (a changed fingerprint is a warning);
 * 8. `abort`: an already-aborted signal makes fetch reject within `abortTimeoutMs` (the error is reported);
 * 9. `mutate` (with the hook): afterwards the fingerprint changes;
 * 10. `broken` (with the `breakIt` hook): fetch rejects with an Error whose message is non-empty and
 *    holds no stack trace (not a `SourceError`: a warning);
 * 11. `close`: resolves, when the handler has one.
 *
 * A failed descriptor, schema, create or first fetch stops the run (later checks are `skip`).
 *
 * @example
 * const report = await checkSourcePlugin(plugin, { config: { path: './servers' }, context: { configDir: fixtures } });
 * assert.ok(report.ok, formatContractReport(report));
 */
export async function checkSourcePlugin(plugin: unknown, options: SourceContractOptions): Promise<SourceContractReport> {
  const recorder = new CheckRecorder('source plugin');
  const descriptor = checkDescriptor(recorder, 'source', plugin);
  if (descriptor === undefined) return recorder.report();
  recorder.subject = `source plugin "${descriptor.type}"`;
  if (!checkConfigSchema(recorder, descriptor.configSchema, options.config, `source.${descriptor.type}`)) return recorder.report();

  const { context, cleanup } = await createSourceContext(options.context);
  try {
    const handler = await checkCreate<SourceHandler>(recorder, descriptor, options.config, context, ['fetch', 'describe']);
    if (handler === undefined) return recorder.report();
    let first: { data?: SourceData; collected?: CollectedEntries } = {};
    try {
      first = await new SourceRun(recorder, handler, context, options).checks();
    } finally {
      await checkClose(recorder, handler, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    }
    return { ...recorder.report(), ...first };
  } finally {
    await cleanup();
  }
}

/**
 * {@link checkSourcePlugin}, then throws a `PluginContractError` listing the failed checks (the
 * whole report is its message). Resolves to the report when no check failed, so a test can look at
 * the warnings or at what the first fetch delivered.
 */
export async function assertSourcePlugin(plugin: unknown, options: SourceContractOptions): Promise<SourceContractReport> {
  const report = await checkSourcePlugin(plugin, options);
  assertContractReport(report);
  return report;
}

/** The fetch checks of one run, sharing the handler and the first result. */
class SourceRun {
  readonly #recorder: CheckRecorder;
  readonly #handler: SourceHandler;
  readonly #context: SourceContext;
  readonly #options: SourceContractOptions;
  readonly #timeoutMs: number;

  constructor(recorder: CheckRecorder, handler: SourceHandler, context: SourceContext, options: SourceContractOptions) {
    this.#recorder = recorder;
    this.#handler = handler;
    this.#context = context;
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Runs checks 4–10; returns what the first fetch delivered. */
  async checks(): Promise<{ data?: SourceData; collected?: CollectedEntries }> {
    const recorder = this.#recorder;
    await recorder.run('describe', () => this.#describe());
    let first: { data: SourceData; collected: CollectedEntries } | undefined;
    await recorder.run('first fetch', async () => {
      first = await this.#firstFetch();
    }, true);
    if (first === undefined) {
      for (const name of ['unchanged', 'forced', 'abort', 'mutate', 'broken']) recorder.add(name, 'skip', 'not run: "first fetch" failed');
      return {};
    }
    const data = first.data;
    await recorder.run('unchanged', () => this.#unchanged(data));
    await recorder.run('forced', () => this.#forced(data));
    await recorder.run('abort', () => this.#abort());
    await this.#hook('mutate', this.#options.mutate, () => this.#mutated(data));
    await this.#hook('broken', this.#options.breakIt, () => this.#broken(data));
    return first;
  }

  #describe(): void {
    const text: unknown = this.#handler.describe();
    if (typeof text === 'string' && text.trim() !== '') this.#recorder.add('describe', 'pass', JSON.stringify(text));
    else this.#recorder.add('describe', 'fail', `returned ${JSON.stringify(text)}; expected a short non-empty text such as "dir /srv/servers"`);
  }

  async #firstFetch(): Promise<{ data: SourceData; collected: CollectedEntries } | undefined> {
    const name = 'first fetch';
    const result = await this.#fetch(name, { allowUnchanged: true });
    if (result === undefined) return undefined;
    const problem = resultProblem(result, false);
    if (problem !== undefined) {
      this.#recorder.stop(name, problem);
      return undefined;
    }
    const data = result as SourceData;
    let collected: CollectedEntries;
    try {
      collected = collectEntries(data, this.#context.format);
    } catch (error) {
      this.#recorder.stop(name, `core cannot read what it delivered: ${describeError(error)}`, error);
      return undefined;
    }
    const delivered = `${count(data.documents?.length ?? 0, 'document')} and ${count(data.entries?.length ?? 0, 'entry', 'entries')}`;
    const summary = `${delivered} → ${count(collected.entries.length, 'valid entry', 'valid entries')}, fingerprint ${short(data.fingerprint)}`;
    if (collected.skipped.length === 0) {
      this.#recorder.add(name, 'pass', summary);
    } else {
      const reasons = collected.skipped.slice(0, 3).map((skip) => `${skip.name}${skip.version === undefined ? '' : `@${skip.version}`}: ${skip.reason}`);
      const more = collected.skipped.length > 3 ? ` (+${collected.skipped.length - 3} more)` : '';
      this.#recorder.add(name, 'warn', `${summary}; core would skip ${collected.skipped.length}: ${reasons.join('; ')}${more}`);
    }
    return { data, collected };
  }

  async #unchanged(first: SourceData): Promise<void> {
    const name = 'unchanged';
    const result = await this.#fetch(name, { allowUnchanged: true, previous: previousOf(first) });
    if (result === undefined) return;
    const problem = resultProblem(result, true);
    if (problem !== undefined) return this.#recorder.add(name, 'fail', problem);
    if (result.unchanged === true) return this.#recorder.add(name, 'pass', 'answered { unchanged: true }');
    if (result.fingerprint === first.fingerprint) {
      return this.#recorder.add(name, 'pass', 'delivered the data again with the same fingerprint (core skips the commit)');
    }
    this.#recorder.add(name, 'fail', `nothing changed, yet the fingerprint did (${short(first.fingerprint)} → ${short(result.fingerprint)}): equal data must have equal fingerprints`);
  }

  async #forced(first: SourceData): Promise<void> {
    const name = 'forced';
    const result = await this.#fetch(name, { allowUnchanged: false, previous: previousOf(first) });
    if (result === undefined) return;
    const problem = resultProblem(result, false);
    if (problem !== undefined) {
      const hint = (result as { unchanged?: unknown }).unchanged === true ? ' (allowUnchanged: false asks for the full data)' : '';
      return this.#recorder.add(name, 'fail', `${problem}${hint}`);
    }
    const data = result as SourceData;
    if (data.fingerprint === first.fingerprint) return this.#recorder.add(name, 'pass', 'delivered the data with the same fingerprint');
    this.#recorder.add(name, 'warn', `the same data got another fingerprint (${short(first.fingerprint)} → ${short(data.fingerprint)}), so every sync commits again`);
  }

  async #abort(): Promise<void> {
    const name = 'abort';
    const controller = new AbortController();
    controller.abort();
    const limit = this.#options.abortTimeoutMs ?? DEFAULT_ABORT_TIMEOUT_MS;
    const settled = await settleWithin(() => this.#handler.fetch({ signal: controller.signal, allowUnchanged: false }), limit);
    if (settled.status === 'timeout') return this.#recorder.add(name, 'fail', `fetch with an aborted signal did not settle within ${limit} ms`);
    if (settled.status === 'fulfilled') {
      return this.#recorder.add(name, 'fail', 'fetch resolved although its signal was already aborted; check signal.aborted or pass the signal to your I/O');
    }
    const aborted = (settled.reason as { code?: unknown } | null)?.code === ErrorKinds.aborted.code;
    const advice = aborted ? '' : ' (an AbortedError from @thv/registry-core says best what happened)';
    this.#recorder.add(name, 'pass', `rejected in ${settled.ms} ms with ${describeError(settled.reason)}${advice}`);
  }

  async #mutated(first: SourceData): Promise<void> {
    const name = 'mutate';
    const result = await this.#fetch(name, { allowUnchanged: true, previous: previousOf(first) });
    if (result === undefined) return;
    const problem = resultProblem(result, true);
    if (problem !== undefined) return this.#recorder.add(name, 'fail', problem);
    if (result.unchanged === true) return this.#recorder.add(name, 'fail', 'answered { unchanged: true } after mutate() changed the data');
    if (result.fingerprint === first.fingerprint) {
      return this.#recorder.add(name, 'fail', `the fingerprint stayed ${short(first.fingerprint)} after mutate() changed the data`);
    }
    this.#recorder.add(name, 'pass', `the fingerprint changed (${short(first.fingerprint)} → ${short(result.fingerprint)})`);
  }

  async #broken(first: SourceData): Promise<void> {
    const name = 'broken';
    const settled = await settleWithin(
      () => this.#handler.fetch({ signal: new AbortController().signal, allowUnchanged: false, previous: previousOf(first) }),
      this.#timeoutMs,
    );
    if (settled.status === 'timeout') return this.#recorder.add(name, 'fail', `fetch did not settle within ${this.#timeoutMs} ms after breakIt()`);
    if (settled.status === 'fulfilled') return this.#recorder.add(name, 'fail', 'fetch resolved after breakIt(); a source that cannot deliver must reject');
    const error = settled.reason;
    if (!(error instanceof Error)) return this.#recorder.add(name, 'fail', `rejected with ${describeError(error)}; reject with an Error`, error);
    if (error.message.trim() === '') return this.#recorder.add(name, 'fail', `rejected with ${error.name} with an empty message`, error);
    if (STACK_LINE.test(error.message)) {
      return this.#recorder.add(name, 'fail', `rejected with ${error.name} whose message holds a stack trace; the message reaches the status route and logs`, error);
    }
    if ((error as { code?: unknown }).code === ErrorKinds.source.code) return this.#recorder.add(name, 'pass', `rejected with ${describeError(error)}`);
    this.#recorder.add(name, 'warn', `rejected with ${describeError(error)}; throw a SourceError so it is reported as a source failure (${ErrorKinds.source.code})`, error);
  }

  /** Runs a hook-driven check, or records it as skipped when the author gave no hook. */
  async #hook(name: string, hook: ((context: SourceContext) => void | Promise<void>) | undefined, check: () => Promise<void>): Promise<void> {
    const option = name === 'broken' ? 'breakIt' : name;
    if (hook === undefined) return this.#recorder.add(name, 'skip', `no ${option}() hook given`);
    await this.#recorder.run(name, async () => {
      try {
        await hook(this.#context);
      } catch (error) {
        return this.#recorder.add(name, 'fail', `the ${option}() hook itself threw ${describeError(error)}`, error);
      }
      await check();
    });
  }

  /** One fetch with a fresh signal; a timeout or rejection is recorded as a failure of `name`. */
  async #fetch(name: string, request: Omit<SourceFetchRequest, 'signal'>): Promise<SourceFetchResult | undefined> {
    const settled: Settled<SourceFetchResult> = await settleWithin(
      () => this.#handler.fetch({ ...request, signal: new AbortController().signal }),
      this.#timeoutMs,
    );
    const fail = (message: string, error?: unknown) =>
      name === 'first fetch' ? this.#recorder.stop(name, message, error) : this.#recorder.add(name, 'fail', message, error);
    if (settled.status === 'timeout') return fail(`fetch did not settle within ${this.#timeoutMs} ms`), undefined;
    if (settled.status === 'rejected') return fail(`fetch rejected with ${describeError(settled.reason)}`, settled.reason), undefined;
    return settled.value;
  }
}

async function checkClose(recorder: CheckRecorder, handler: SourceHandler, limitMs: number): Promise<void> {
  if (handler.close === undefined) return recorder.add('close', 'pass', 'no close() (optional)');
  if (typeof handler.close !== 'function') return recorder.add('close', 'fail', 'close is there but is not a function');
  const settled = await settleWithin(() => handler.close?.(), limitMs);
  if (settled.status === 'fulfilled') recorder.add('close', 'pass', 'resolved');
  else if (settled.status === 'timeout') recorder.add('close', 'fail', `did not settle within ${limitMs} ms`);
  else recorder.add('close', 'fail', `rejected with ${describeError(settled.reason)}`, settled.reason);
}
