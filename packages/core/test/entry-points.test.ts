/**
 * The entry points of `@thv/registry-core`. The main entry is the plugin API and nothing else;
 * `./host` adds what an application hosting plugins and serving the API needs. The lists below
 * pin the main entry: a name added there is a promise to every plugin author, so it must be
 * added here on purpose.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const CORE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The values of the main entry (what `import * as core` holds at run time). */
const PLUGIN_API_VALUES = [
  'AbortedError',
  'CORE_VERSION',
  'ConfigError',
  'DURATION_PATTERN',
  'ErrorKinds',
  'FormatError',
  'InvalidParameterError',
  'NotFoundError',
  'OFFICIAL_META_KEY',
  'PLUGIN_API_VERSION',
  'PUBLISHER_META_KEY',
  'PluginContractError',
  'PluginLoadError',
  'PluginNotFoundError',
  'RegistryError',
  'SERVER_SCHEMA_URL',
  'SourceError',
  'StorageError',
  'StorageUnavailableError',
  'defineSourcePlugin',
  'defineStoragePlugin',
  'describeJsonSyntaxError',
  'describeNetworkFailure',
  'isRegistryError',
  'isStorageUnavailable',
  'parseDuration',
  'parseHttpUrl',
  'parseJsonDocument',
  'raceAbort',
  'readBodyCapped',
  'serverSchema',
  'validateServer',
];

/** The types of the main entry (erased at run time, so read from the declarations). */
const PLUGIN_API_TYPES = [
  'AnyPlugin',
  'Argument',
  'DatabaseConfig',
  'DeployedServer',
  'ErrorDetail',
  'ErrorKind',
  'FormatHint',
  'Icon',
  'Input',
  'JsonValue',
  'KeyValueInput',
  'LocalTransport',
  'Logger',
  'MigrationInfo',
  'MigrationResult',
  'MigrationStatus',
  'NamedArgument',
  'OfficialMeta',
  'Package',
  'PluginDefinition',
  'PluginKind',
  'PositionalArgument',
  'RegistryErrorOptions',
  'RemoteTransport',
  'Repository',
  'ServerJSON',
  'ServerStatus',
  'ServerValidation',
  'SkippedEntry',
  'SourceContext',
  'SourceData',
  'SourceEntry',
  'SourceFetchRequest',
  'SourceFetchResult',
  'SourceHandler',
  'SourcePlugin',
  'SourceUnchanged',
  'Storage',
  'StorageContext',
  'StorageHealth',
  'StorageMigrations',
  'StoragePlugin',
  'StorageUsers',
  'StoredEntry',
  'StoredRegistry',
  'SyncPhase',
  'SyncStatus',
];

/** Packages only a host needs: loading the plugin API must not load them. */
const HOST_DEPENDENCIES = ['fastify', 'fastify-plugin', '@fastify/cors', '@fastify/under-pressure', 'pino', 'yaml', 'semver', 'fastest-levenshtein'];

/** The exported names of a TypeScript module, split into values and types. */
function declaredExports(entry: string): { values: string[]; types: string[] } {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`cannot read the exports of ${entry}`);
  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
  }
  return { values: values.sort(), types: types.sort() };
}

/** Every bare specifier (package or `node:` module) the compiled module at `file` loads, following relative imports. */
function runtimeDependencies(file: string): string[] {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const [, specifier] of readFileSync(path, 'utf8').matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      if (specifier === undefined) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(path), specifier));
      else bare.add(specifier);
    }
  };
  visit(file);
  return [...bare].sort();
}

t.test('the main entry exports the plugin API and nothing else', async (t) => {
  const core = await import('@thv/registry-core');
  t.same(Object.keys(core).sort(), PLUGIN_API_VALUES, 'values, at run time');
  t.same(declaredExports(resolve(CORE_DIR, 'src/index.ts')), { values: PLUGIN_API_VALUES, types: PLUGIN_API_TYPES }, 'values and types, as declared');
});

t.test('the main entry loads none of the host dependencies', async (t) => {
  const loaded = runtimeDependencies(resolve(CORE_DIR, 'dist/index.js'));
  t.ok(loaded.includes('ajv'), 'the walk follows the imports (validateServer uses ajv)');
  t.same(loaded.filter((name) => HOST_DEPENDENCIES.includes(name)), [], loaded.join(', '));
});

t.test('the ./host entry serves a host with one import', async (t) => {
  const core = await import('@thv/registry-core');
  const host = await import('@thv/registry-core/host');
  for (const name of ['buildApp', 'registryApi', 'Catalog', 'createRuntime', 'loadConfig'] as const) {
    t.type(host[name], 'function', `${name} is exported`);
    t.notOk(name in core, `${name} is not in the main entry`);
  }
  // The plugin API too, as the same objects: errors are compared with instanceof.
  for (const [name, value] of Object.entries(core)) t.equal((host as Record<string, unknown>)[name], value, `${name} is re-exported`);
});
