import t from 'tap';
import { serverToToolhive } from '../src/formats/server-to-toolhive.js';
import { toolhiveTags } from '../src/formats/toolhive-meta.js';
import { imageEntryToServer, remoteEntryToServer } from '../src/formats/toolhive-to-server.js';
import { validateServer } from '../src/model/validate.js';
import { imageEntry, remoteEntry, serverJson } from './helpers/formats-entries.js';

const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const PUBLISHER = 'io.modelcontextprotocol.registry/publisher-provided';

t.test('a stdio container becomes an OCI package, ToolHive fields go under its image', async (t) => {
  const entry = imageEntry({
    title: 'Fetch',
    repository_url: 'https://github.com/example/fetch',
    tags: ['web', 'http'],
    metadata: { stars: 42, pulls: 7, last_updated: '2025-06-01T00:00:00Z' },
    permissions: { network: { outbound: { allow_host: ['.example.com'], allow_port: [443] } } },
    provenance: {
      sigstore_url: 'tuf-repo-cdn.sigstore.dev',
      repository_uri: 'https://github.com/example/fetch',
      signer_identity: '/.github/workflows/release.yml',
      runner_environment: 'github-hosted',
      cert_issuer: 'https://token.actions.githubusercontent.com',
    },
    env_vars: [
      { name: 'API_TOKEN', description: 'Token for the API', required: true, secret: true },
      { name: 'LOG_LEVEL', description: 'How much to log', required: false, default: 'info' },
    ],
    args: ['--root', '/data'],
  });
  const server = imageEntryToServer('fetch', entry);
  t.strictSame(server, {
    $schema: SCHEMA,
    name: 'io.github.stacklok/fetch',
    title: 'Fetch',
    description: 'Fetches web pages for the model',
    repository: { url: 'https://github.com/example/fetch', source: 'github' },
    version: '1.2.3',
    packages: [
      {
        registryType: 'oci',
        identifier: 'ghcr.io/example/fetch:1.2.3',
        transport: { type: 'stdio' },
        environmentVariables: [
          { name: 'API_TOKEN', description: 'Token for the API', isRequired: true, isSecret: true },
          { name: 'LOG_LEVEL', description: 'How much to log', default: 'info' },
        ],
        packageArguments: [
          { type: 'positional', value: '--root' },
          { type: 'positional', value: '/data' },
        ],
      },
    ],
    _meta: {
      [PUBLISHER]: {
        'io.github.stacklok': {
          'ghcr.io/example/fetch:1.2.3': {
            status: 'Active',
            tier: 'Official',
            tools: ['fetch'],
            tags: ['web', 'http'],
            metadata: entry.metadata,
            permissions: entry.permissions,
            args: ['--root', '/data'],
            provenance: entry.provenance,
          },
        },
      },
    },
  });
  t.ok(validateServer(server).ok, 'the result is valid server.json');
  t.same(toolhiveTags(server), ['web', 'http']);
});

t.test('http containers get a localhost URL, with the target port when there is one', async (t) => {
  const streamable = imageEntryToServer('search', imageEntry({ transport: 'streamable-http', target_port: 8080 }));
  t.same(streamable.packages?.[0]?.transport, { type: 'streamable-http', url: 'http://localhost:8080' });
  const sse = imageEntryToServer('events', imageEntry({ transport: 'sse' }));
  t.same(sse.packages?.[0]?.transport, { type: 'sse', url: 'http://localhost' });
  t.ok(validateServer(streamable).ok);
  t.ok(validateServer(sse).ok);
});

t.test('the version comes from a release-like image tag, else 1.0.0', async (t) => {
  const versionOf = (image: string) => imageEntryToServer('x', imageEntry({ image })).version;
  t.equal(versionOf('ghcr.io/example/fetch:v0.19.1'), '0.19.1');
  t.equal(versionOf('registry.example.com:5000/team/app:2.0.0-rc.1'), '2.0.0-rc.1');
  t.equal(versionOf('ghcr.io/example/fetch:latest'), '1.0.0', 'a moving tag');
  t.equal(versionOf('registry.example.com:5000/team/app'), '1.0.0', 'no tag (the colon is the port)');
  t.equal(versionOf(`ghcr.io/example/fetch@sha256:${'a'.repeat(64)}`), '1.0.0', 'a digest');
});

t.test('a name already in reverse-DNS form is kept', async (t) => {
  t.equal(imageEntryToServer('fetch', imageEntry({ name: 'io.github.example/fetch' })).name, 'io.github.example/fetch');
  t.equal(imageEntryToServer('fetch', imageEntry({ name: 'fetch' })).name, 'io.github.stacklok/fetch');
});

t.test('a remote becomes a remote with its headers; OAuth and env vars go under its URL', async (t) => {
  const entry = remoteEntry({
    transport: 'sse',
    repository_url: 'https://gitlab.com/example/tracker',
    headers: [
      { name: 'Authorization', description: 'Bearer token', required: true, secret: true },
      { name: 'X-Region', description: 'Data region', required: false, default: 'eu', choices: ['eu', 'us'] },
    ],
    oauth_config: { authorize_url: 'https://auth.example.com/authorize', token_url: 'https://auth.example.com/token', scopes: ['read'], use_pkce: true },
    env_vars: [{ name: 'TRACKER_PROJECT', description: 'Default project', required: false }],
    custom_metadata: { author: 'Example' },
  });
  const server = remoteEntryToServer('tracker', entry);
  t.strictSame(server, {
    $schema: SCHEMA,
    name: 'io.github.stacklok/tracker',
    description: 'Hosted issue tracker tools',
    repository: { url: 'https://gitlab.com/example/tracker', source: 'gitlab' },
    version: '1.0.0',
    remotes: [
      {
        type: 'sse',
        url: 'https://mcp.example.com/mcp',
        headers: [
          { name: 'Authorization', description: 'Bearer token', isRequired: true, isSecret: true },
          { name: 'X-Region', description: 'Data region', default: 'eu', choices: ['eu', 'us'] },
        ],
      },
    ],
    _meta: {
      [PUBLISHER]: {
        'io.github.stacklok': {
          'https://mcp.example.com/mcp': {
            status: 'Active',
            tier: 'Community',
            tools: ['list_issues'],
            custom_metadata: { author: 'Example' },
            oauth_config: entry.oauth_config,
            env_vars: entry.env_vars,
          },
        },
      },
    },
  });
  t.ok(validateServer(server).ok, 'the result is valid server.json');
});

t.test('ToolHive writes status "active" when an entry has none', async (t) => {
  const server = imageEntryToServer('fetch', imageEntry({ status: '' }));
  t.match(server._meta, { [PUBLISHER]: { 'io.github.stacklok': { 'ghcr.io/example/fetch:1.2.3': { status: 'active' } } } });
});

t.test('legacy → server.json → legacy keeps every field', async (t) => {
  const container = imageEntry({
    title: 'Fetch',
    overview: '# Fetch\n\nFetches pages.',
    tool_definitions: [{ name: 'fetch', description: 'Fetch a URL', inputSchema: { type: 'object' } }],
    repository_url: 'https://github.com/example/fetch',
    tags: ['web'],
    metadata: { stars: 1, last_updated: '2025-06-01T00:00:00Z' },
    custom_metadata: { license: 'MIT' },
    transport: 'streamable-http',
    target_port: 9000,
    proxy_port: 8111,
    permissions: { network: { outbound: { insecure_allow_all: true } }, read: ['/data'] },
    env_vars: [
      { name: 'TOKEN', description: 'A token', required: true, secret: true },
      { name: 'MODE', description: 'Run mode', required: false, default: 'fast' },
    ],
    args: ['serve', '--port=9000'],
    docker_tags: ['1.2.3', 'latest'],
  });
  t.strictSame(serverToToolhive(imageEntryToServer('fetch', container)), { ok: true, kind: 'server', key: 'fetch', entry: container });

  const remote = remoteEntry({
    name: 'io.github.example/tracker',
    headers: [{ name: 'X-Key', description: 'API key', required: true, secret: true, choices: ['a', 'b'] }],
    oauth_config: { issuer: 'https://auth.example.com', client_id: 'thv', scopes: ['openid'] },
    env_vars: [{ name: 'PROJECT', description: 'Project', required: false, default: 'main' }],
    proxy_port: 8222,
  });
  t.strictSame(serverToToolhive(remoteEntryToServer('tracker', remote)), { ok: true, kind: 'remote', key: 'tracker', entry: remote });
});

t.test('any server with an OCI package or a remote converts to a legacy entry', async (t) => {
  const server = serverJson({
    name: 'io.github.example/weather',
    title: 'Weather',
    repository: { url: 'https://github.com/example/weather', source: 'github' },
    packages: [
      { registryType: 'npm', identifier: 'weather-mcp', transport: { type: 'stdio' } },
      {
        registryType: 'oci',
        identifier: 'docker.io/example/weather:1.0.0',
        transport: { type: 'stdio' },
        runtimeArguments: [
          { type: 'named', name: '-e', value: 'API_KEY={key}', variables: { key: { isRequired: true, isSecret: true } } },
          { type: 'named', name: '--env', value: 'UNITS=metric', description: 'Units' },
        ],
        packageArguments: [{ type: 'named', name: '--city', value: 'Paris' }, { type: 'positional', valueHint: 'extra' }],
      },
    ],
  });
  t.strictSame(serverToToolhive(server), {
    ok: true,
    kind: 'server',
    key: 'weather',
    entry: {
      name: 'io.github.example/weather',
      title: 'Weather',
      description: 'Weather forecasts',
      tier: 'Community',
      status: 'Active',
      transport: 'stdio',
      tools: [],
      repository_url: 'https://github.com/example/weather',
      image: 'docker.io/example/weather:1.0.0',
      env_vars: [
        { name: 'API_KEY', description: '', required: false, secret: true },
        { name: 'UNITS', description: 'Units', required: false, default: 'metric' },
      ],
      args: ['--city', 'Paris'],
    },
  });
  t.match(serverToToolhive(serverJson({ remotes: [{ type: 'streamable-http', url: 'https://w.example.com/mcp' }] })), {
    ok: true,
    kind: 'remote',
    entry: { url: 'https://w.example.com/mcp', transport: 'streamable-http' },
  });
  t.strictSame(serverToToolhive(serverJson({ packages: [{ registryType: 'npm', identifier: 'w', transport: { type: 'stdio' } }] })), {
    ok: false,
    reason: 'io.github.example/weather has no OCI package and no remote; the ToolHive format describes only containers and remote servers',
  });
});

t.test('of several OCI packages, the one ToolHive describes is exported', async (t) => {
  const server = serverJson({
    packages: [
      { registryType: 'oci', identifier: 'docker.io/example/weather:1.0.0', transport: { type: 'stdio' } },
      { registryType: 'oci', identifier: 'ghcr.io/example/weather:1.0.0', transport: { type: 'stdio' } },
    ],
    _meta: { [PUBLISHER]: { 'io.github.stacklok': { 'ghcr.io/example/weather:1.0.0': { status: 'Active', tier: 'Official' } } } },
  });
  t.match(serverToToolhive(server), { ok: true, entry: { image: 'ghcr.io/example/weather:1.0.0', tier: 'Official' } });
});

t.test('toolhiveTags reads the tags ToolHive keeps, and nothing else', async (t) => {
  t.same(toolhiveTags(serverJson()), []);
  t.same(toolhiveTags(serverJson({ _meta: { [PUBLISHER]: { 'io.github.stacklok': 'not a block' } } })), []);
  const twoBlocks = serverJson({
    _meta: { [PUBLISHER]: { 'io.github.stacklok': { a: { status: 'Active', tags: ['x', 'y'] }, b: { status: 'Active', tags: ['y', 'z', 3] } } } },
  });
  t.same(toolhiveTags(twoBlocks), ['x', 'y', 'z']);
});
