/**
 * `@thv/registry-core/testing`: a contract test kit for source and storage plugins. It runs
 * the plugin the way the loader and the sync coordinator do and reports each rule it keeps or
 * breaks. It depends on no test runner: the `check…` functions resolve to a report, the
 * `assert…` functions throw a `PluginContractError` whose message lists what failed.
 *
 * @example
 * import { assertSourcePlugin } from '@thv/registry-core/testing';
 * import plugin from '../src/index.js';
 *
 * await assertSourcePlugin(plugin, {
 *   config: { path: './servers' },
 *   context: { configDir: fixtureDir },
 *   mutate: () => writeFile(join(fixtureDir, 'servers/new.json'), serverJson),
 *   breakIt: () => rm(join(fixtureDir, 'servers'), { recursive: true }),
 * });
 */
export { checkSourcePlugin, assertSourcePlugin, type SourceContractOptions, type SourceContractReport } from './source-contract.js';
export { checkStoragePlugin, assertStoragePlugin, type StorageContractOptions } from './storage-contract.js';
export { assertContractReport, formatContractReport, type CheckOutcome, type ContractCheck, type ContractReport } from './report.js';
export { createSourceContext, createStorageContext, silentLogger, type TestContext } from './context.js';
export { syncStatus } from './fixtures.js';
