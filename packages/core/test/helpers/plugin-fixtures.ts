/** Source of a plugin module (ESM) exporting a plugin descriptor with the given fields. */
export function pluginModule(fields: { kind?: string; type: string; apiVersion?: number; extra?: string }): string {
  return `export default {
  kind: ${JSON.stringify(fields.kind ?? 'source')},
  apiVersion: ${fields.apiVersion ?? 1},
  type: ${JSON.stringify(fields.type)},
  configSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'], additionalProperties: false },
  create(config) { return { describe: () => 'fixture ' + config.path, fetch: async () => ({ unchanged: true }) }; },
};
${fields.extra ?? ''}`;
}

/** A package directory (for `t.testdir`) holding one ESM module as its entry. */
export function pluginPackage(name: string, source: string): Record<string, string> {
  return {
    'package.json': JSON.stringify({ name, version: '1.0.0', type: 'module', exports: { '.': { import: './index.js' } } }),
    'index.js': source,
  };
}
