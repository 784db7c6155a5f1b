/**
 * What a ToolHive resource becomes: its server.json entry (from the annotations, the transport and
 * the status), the resources skipped for unusable annotations (warned about once per version), and
 * the deployed instances, exported or not.
 */
import t from 'tap';
import { PUBLISHER_META_KEY, SERVER_SCHEMA_URL, validateServer } from '@thv/registry-core';
import { LEVEL } from './helpers/context.js';
import { toolhiveResource } from './helpers/kube-api-emulator.js';
import { exportedResource, fetchData, startEmulator, startSource } from './helpers/source-harness.js';

const A = 'toolhive.stacklok.dev/';
const TOOL_DEFINITIONS = [{ name: 'fetch', description: 'Fetches a URL', inputSchema: { type: 'object', properties: { url: { type: 'string' } } } }];

t.test('an annotated MCPServer becomes a server.json entry with one remote and ToolHive metadata', async (t) => {
  const emulator = await startEmulator(t);
  const stored = emulator.apply(
    exportedResource(
      'MCPServer',
      'tools',
      'fetch',
      {
        [`${A}registry-url`]: 'https://mcp.example.com/fetch/mcp',
        [`${A}registry-title`]: 'Fetch',
        [`${A}registry-description`]: 'Fetches web pages as Markdown',
        [`${A}registry-version`]: '2.1.0',
        [`${A}registry-icon`]: 'https://example.com/fetch.png',
        [`${A}registry-category`]: 'web',
        [`${A}tools`]: 'fetch, fetch_raw,',
        [`${A}tool-definitions`]: JSON.stringify(TOOL_DEFINITIONS),
      },
      { spec: { image: 'ghcr.io/stackloklabs/gofetch/server:1.0.2', transport: 'stdio', proxyMode: 'sse' } },
    ),
  );
  const { source } = await startSource(t, emulator);
  const [entry, ...others] = (await fetchData(source)).entries ?? [];
  t.same(others, []);
  t.same(entry, {
    server: {
      $schema: SERVER_SCHEMA_URL,
      name: 'local.kubernetes/tools.fetch',
      title: 'Fetch',
      description: 'Fetches web pages as Markdown',
      version: '2.1.0',
      icons: [{ src: 'https://example.com/fetch.png' }],
      remotes: [{ type: 'sse', url: 'https://mcp.example.com/fetch/mcp' }],
      _meta: {
        [PUBLISHER_META_KEY]: {
          'io.github.stacklok': {
            'https://mcp.example.com/fetch/mcp': {
              status: 'active',
              tools: ['fetch', 'fetch_raw'],
              tool_definitions: TOOL_DEFINITIONS,
              tags: ['web'],
              metadata: {
                kubernetes: {
                  kind: 'MCPServer',
                  namespace: 'tools',
                  name: 'fetch',
                  uid: stored.metadata.uid,
                  image: 'ghcr.io/stackloklabs/gofetch/server:1.0.2',
                  transport: 'stdio',
                },
              },
            },
          },
        },
      },
    },
  });
  t.ok(validateServer(entry?.server).ok, 'a valid server.json');
});

t.test('defaults: status.url, a generated description, the version from a semver image tag, the transport by kind', async (t) => {
  const emulator = await startEmulator(t);
  const resources = [
    exportedResource('MCPServer', 'a', 'stdio-default', {}, { spec: { image: 'ghcr.io/x/time:v0.3.1', transport: 'stdio' } }),
    exportedResource('MCPServer', 'a', 'latest-tag', {}, { spec: { image: 'ghcr.io/x/time:latest', transport: 'streamable-http' } }),
    exportedResource('MCPServer', 'a', 'digest', {}, { spec: { image: 'ghcr.io/x/time@sha256:0123', transport: 'sse' } }),
    exportedResource('MCPServer', 'a', 'annotated', { [`${A}registry-version`]: '3.0.0-rc.1' }, { spec: { image: 'ghcr.io/x/time:1.0.0' } }),
    exportedResource('MCPRemoteProxy', 'a', 'remote-sse', {}, { spec: { remoteURL: 'https://remote.example.com', transport: 'sse' } }),
    exportedResource('MCPRemoteProxy', 'a', 'remote-default', {}, { spec: { remoteURL: 'https://remote.example.com' } }),
    exportedResource('VirtualMCPServer', 'a', 'virtual', {}, { spec: { groupRef: { name: 'everything' } } }),
  ];
  for (const resource of resources) emulator.apply(resource);
  const { source } = await startSource(t, emulator);
  const entries = (await fetchData(source)).entries ?? [];
  t.same(
    entries.map(({ server }) => [server.name.split('/')[1], server.version, server.remotes?.[0]?.type, server.remotes?.[0]?.url, server.description]),
    [
      ['a.annotated', '3.0.0-rc.1', 'streamable-http', 'http://annotated.a.svc:8080/mcp', 'MCPServer a/annotated in Kubernetes'],
      ['a.digest', '1.0.0', 'sse', 'http://digest.a.svc:8080/mcp', 'MCPServer a/digest in Kubernetes'],
      ['a.latest-tag', '1.0.0', 'streamable-http', 'http://latest-tag.a.svc:8080/mcp', 'MCPServer a/latest-tag in Kubernetes'],
      ['a.remote-default', '1.0.0', 'streamable-http', 'http://remote-default.a.svc:8080/mcp', 'MCPRemoteProxy a/remote-default in Kubernetes'],
      ['a.remote-sse', '1.0.0', 'sse', 'http://remote-sse.a.svc:8080/mcp', 'MCPRemoteProxy a/remote-sse in Kubernetes'],
      ['a.stdio-default', '0.3.1', 'streamable-http', 'http://stdio-default.a.svc:8080/mcp', 'MCPServer a/stdio-default in Kubernetes'],
      ['a.virtual', '1.0.0', 'streamable-http', 'http://virtual.a.svc:8080/mcp', 'VirtualMCPServer a/virtual in Kubernetes'],
    ],
  );
  const long = `${'n'.repeat(63)}`;
  emulator.apply(exportedResource('VirtualMCPServer', long, 'x'.repeat(60)));
  const { source: wide } = await startSource(t, emulator, { namespaces: [long] });
  const [described] = (await fetchData(wide)).entries ?? [];
  t.equal(described?.server.description.length, 100, 'a long generated description is cut to 100 characters');
  t.match(described?.server.description, /…$/);
});

t.test('unusable resources are skipped with one warning per version naming the resource and the annotation', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('MCPServer', 'default', 'good'));
  const bad = {
    'bad-version': exportedResource('MCPServer', 'default', 'bad-version', { [`${A}registry-version`]: 'latest' }),
    'bad-url': exportedResource('MCPServer', 'default', 'bad-url', { [`${A}registry-url`]: 'ftp://example.com/mcp' }),
    'bad-icon': exportedResource('MCPServer', 'default', 'bad-icon', { [`${A}registry-icon`]: 'http://example.com/icon.png' }),
    'bad-json': exportedResource('MCPServer', 'default', 'bad-json', { [`${A}tool-definitions`]: '[{"name": "fetch",}]' }),
    'not-array': exportedResource('MCPServer', 'default', 'not-array', { [`${A}tool-definitions`]: '{"name": "fetch"}' }),
    'no-url': exportedResource('MCPServer', 'default', 'no-url', {}, { status: { phase: 'Pending' } }),
    'long-title': exportedResource('MCPServer', 'default', 'long-title', { [`${A}registry-title`]: 'T'.repeat(101) }),
    'bad-proxy': exportedResource('MCPServer', 'default', 'bad-proxy', {}, { spec: { transport: 'stdio', proxyMode: 'carrier-pigeon' } }),
    'long-name': exportedResource('MCPServer', 'default', `long-${'x'.repeat(200)}`),
  };
  for (const resource of Object.values(bad)) emulator.apply(resource);
  const { source, logs } = await startSource(t, emulator);
  const first = await fetchData(source);
  t.same(first.entries?.map((entry) => entry.server.name), ['local.kubernetes/default.good'], 'the others are skipped, the sync is not failed');
  await fetchData(source);

  const warnings = logs.atLeast(LEVEL.warn);
  const byResource = Object.fromEntries(warnings.map((line) => [String(line['resource']).replace('MCPServer default/', ''), line.msg]));
  const not = (name: string) => `MCPServer default/${name} is not exported: `;
  t.match(
    byResource,
    {
      'bad-version': `${not('bad-version')}annotation toolhive.stacklok.dev/registry-version "latest" is not a semver version (such as 1.2.0)`,
      'bad-url': `${not('bad-url')}annotation toolhive.stacklok.dev/registry-url is not an http or https URL`,
      'bad-icon': `${not('bad-icon')}annotation toolhive.stacklok.dev/registry-icon is not an https URL`,
      'bad-json': new RegExp(`^${not('bad-json')}annotation toolhive\\.stacklok\\.dev/tool-definitions is not valid JSON: .+ \\(line 1, column 19\\)$`),
      'not-array': `${not('not-array')}annotation toolhive.stacklok.dev/tool-definitions is not a JSON array of tool definitions (objects)`,
      'no-url': `${not('no-url')}it has no URL: set annotation toolhive.stacklok.dev/registry-url or wait for the operator to set status.url`,
      'long-title': `${not('long-title')}annotation toolhive.stacklok.dev/registry-title does not fit server.json (/title must NOT have more than 100 characters)`,
      'bad-proxy': `${not('bad-proxy')}spec.proxyMode "carrier-pigeon" is not streamable-http or sse`,
      [`long-${'x'.repeat(200)}`]: `${not(`long-${'x'.repeat(200)}`)}the resource name does not fit server.json (/name must NOT have more than 200 characters)`,
    },
  );
  t.equal(warnings.length, Object.keys(bad).length, 'one warning per resource, however many fetches');
  t.match(warnings[0], { level: LEVEL.warn, resource: /^MCPServer default\// , problems: [String] });

  emulator.apply(exportedResource('MCPServer', 'default', 'bad-version', { [`${A}registry-version`]: 'still-not-semver' }));
  await logs.waitFor((line) => /still-not-semver/.test(line.msg));
  emulator.apply({ ...bad['no-url'], status: { phase: 'Running', url: 'http://no-url.default.svc:8080/mcp' } });
  await logs.waitFor((line) => line.msg === 'watch event' && line['name'] === 'default/no-url');
  t.same((await fetchData(source)).entries?.map((entry) => entry.server.name), ['local.kubernetes/default.good', 'local.kubernetes/default.no-url']);
  t.equal(logs.atLeast(LEVEL.warn).length, warnings.length + 1, 'a new version of a bad resource is warned about once more');
});

t.test('deployed(): every instance, exported or not, with its image, transport, URL, phase, readiness and age', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(
    exportedResource('MCPServer', 'team-a', 'fetch', {}, {
      spec: { image: 'ghcr.io/x/fetch:1.0.0', transport: 'stdio' },
      status: { phase: 'Running', url: 'http://mcp-fetch-proxy.team-a.svc.cluster.local:8080', conditions: [{ type: 'Ready', status: 'True' }] },
    }),
  );
  emulator.apply(
    toolhiveResource('MCPServer', 'team-a', 'github', {
      annotations: { [`${A}registry-server-name`]: 'io.github.github/github-mcp-server' },
      spec: { image: 'ghcr.io/github/github-mcp-server:v0.5.0', transport: 'streamable-http' },
      status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
    }),
  );
  const created = emulator.apply(toolhiveResource('VirtualMCPServer', 'team-b', 'all', { status: { phase: 'Ready', url: 'http://vmcp-all.team-b.svc:4483' } }));
  emulator.apply(toolhiveResource('MCPRemoteProxy', 'team-b', 'notion', { spec: { remoteURL: 'https://mcp.notion.com/mcp', transport: 'sse' } }));
  const { source } = await startSource(t, emulator);
  t.same(source.deployed(), [], 'nothing before the first list');
  await fetchData(source);
  t.same(source.deployed(), [
    {
      name: 'fetch',
      namespace: 'team-a',
      kind: 'MCPServer',
      exported: true,
      serverName: 'local.kubernetes/team-a.fetch',
      image: 'ghcr.io/x/fetch:1.0.0',
      transport: 'stdio',
      url: 'http://mcp-fetch-proxy.team-a.svc.cluster.local:8080',
      phase: 'Running',
      ready: true,
      createdAt: emulator.get('MCPServer', 'team-a', 'fetch')?.metadata.creationTimestamp,
    },
    {
      name: 'github',
      namespace: 'team-a',
      kind: 'MCPServer',
      serverName: 'io.github.github/github-mcp-server',
      exported: false,
      image: 'ghcr.io/github/github-mcp-server:v0.5.0',
      transport: 'streamable-http',
      phase: 'Pending',
      ready: false,
      createdAt: emulator.get('MCPServer', 'team-a', 'github')?.metadata.creationTimestamp,
    },
    {
      name: 'all',
      namespace: 'team-b',
      kind: 'VirtualMCPServer',
      exported: false,
      transport: 'streamable-http',
      url: 'http://vmcp-all.team-b.svc:4483',
      phase: 'Ready',
      createdAt: created.metadata.creationTimestamp,
    },
    {
      name: 'notion',
      namespace: 'team-b',
      kind: 'MCPRemoteProxy',
      exported: false,
      transport: 'sse',
      createdAt: emulator.get('MCPRemoteProxy', 'team-b', 'notion')?.metadata.creationTimestamp,
    },
  ]);
});

t.test('two kinds exporting the same name: the MCPServer keeps it, the other is warned about once', async (t) => {
  const emulator = await startEmulator(t);
  emulator.apply(exportedResource('VirtualMCPServer', 'default', 'fetch'));
  emulator.apply(exportedResource('MCPServer', 'default', 'fetch'));
  const { source, logs } = await startSource(t, emulator);
  const data = await fetchData(source);
  t.equal(data.entries?.length, 1);
  t.match(data.entries?.[0]?.server._meta, { [PUBLISHER_META_KEY]: { 'io.github.stacklok': { 'http://fetch.default.svc:8080/mcp': { metadata: { kubernetes: { kind: 'MCPServer' } } } } } });
  await fetchData(source);
  t.same(
    logs.atLeast(LEVEL.warn).map((line) => line.msg),
    ['VirtualMCPServer default/fetch is not exported: its entry name local.kubernetes/default.fetch is taken by MCPServer default/fetch'],
  );
  t.same(source.deployed().map((server) => [server.kind, server.exported]), [['MCPServer', true], ['VirtualMCPServer', false]]);
});
