import t from 'tap';
import { parseDocument } from '../src/formats/parse.js';
import { serverToToolhive } from '../src/formats/server-to-toolhive.js';
import type { ToolhiveRegistry } from '../src/formats/toolhive-types.js';
import { validateServer } from '../src/model/validate.js';
import { imageEntry, remoteEntry, serverJson } from './helpers/formats-entries.js';
import { readFixture } from './helpers/formats-fixtures.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const toolhiveFixture = readFixture('toolhive/registry.json') as ToolhiveRegistry | undefined;
const seed = readFixture('upstream/seed.json');

t.test('invalid ToolHive entries are skipped with name and reason; the rest load', async (t) => {
  const parsed = parseDocument({
    version: '1.0.0',
    last_updated: '2025-01-01T00:00:00Z',
    servers: {
      fetch: imageEntry(),
      wordy: imageEntry({ description: 'x'.repeat(120) }),
      imageless: { description: 'No image here', tier: 'Official', status: 'Active', tools: ['a'] },
      'bad-env': imageEntry({ env_vars: [{ name: 7 }] as never }),
    },
    remote_servers: {
      tracker: remoteEntry(),
      'no-transport': { description: 'Remote without transport', url: 'https://x.example.com/mcp' },
    },
  });
  t.equal(parsed.format, 'toolhive');
  t.same(
    parsed.entries.map((entry) => entry.server.name),
    ['io.github.stacklok/fetch', 'io.github.stacklok/tracker'],
  );
  t.same(parsed.skipped, [
    { name: 'io.github.stacklok/wordy', version: '1.2.3', reason: '/description must NOT have more than 100 characters' },
    { name: 'imageless', reason: '/image is required' },
    { name: 'bad-env', reason: '/env_vars/0/name must be string' },
    { name: 'no-transport', reason: '/transport is required' },
  ]);
});

t.test('invalid upstream entries are skipped by name, or by position when nameless', async (t) => {
  const parsed = parseDocument({
    servers: [
      { server: serverJson(), _meta: {} },
      { server: serverJson({ name: 'io.github.example/broken', version: '2.0.0', description: '' }) },
      { server: { description: 'nameless' } },
    ],
    metadata: { count: 3 },
  });
  t.equal(parsed.entries.length, 1);
  t.same(parsed.skipped, [
    { name: 'io.github.example/broken', version: '2.0.0', reason: '/description must NOT have fewer than 1 characters' },
    { name: 'servers[2]', reason: '/name is required' },
  ]);
});

t.test('registry metadata of an API page is kept per entry', async (t) => {
  const parsed = parseDocument({
    servers: [
      {
        server: serverJson(),
        _meta: {
          [OFFICIAL]: {
            status: 'deprecated',
            statusMessage: 'Use weather2',
            publishedAt: '2025-03-01T10:00:00Z',
            updatedAt: '2025-04-01T10:00:00Z',
            statusChangedAt: '2025-04-01T10:00:00Z',
            isLatest: true,
            serverId: 'ignored',
          },
        },
      },
      { server: serverJson({ version: '0.9.0' }), _meta: { [OFFICIAL]: { status: 'retired', publishedAt: 'yesterday' } } },
    ],
    metadata: { count: 2 },
  });
  t.same(parsed.entries, [
    {
      server: serverJson(),
      official: {
        status: 'deprecated',
        statusMessage: 'Use weather2',
        publishedAt: '2025-03-01T10:00:00Z',
        updatedAt: '2025-04-01T10:00:00Z',
        statusChangedAt: '2025-04-01T10:00:00Z',
        isLatest: true,
      },
    },
    { server: serverJson({ version: '0.9.0' }) },
  ]);
});

t.test('a wrapped upstream file and a bare array load their servers', async (t) => {
  const wrapped = parseDocument({ version: '1.0.0', meta: { last_updated: '2025-01-01T00:00:00Z' }, data: { servers: [serverJson()] } });
  t.same(wrapped, { format: 'upstream-wrapped', entries: [{ server: serverJson() }], skipped: [] });
  const responses = parseDocument([{ server: serverJson(), _meta: { [OFFICIAL]: { status: 'active' } } }]);
  t.same(responses, { format: 'upstream-array', entries: [{ server: serverJson(), official: { status: 'active' } }], skipped: [] });
});

t.test('servers of ToolHive groups load; a repeated identical server is not a duplicate', async (t) => {
  const parsed = parseDocument({
    version: '1.0.0',
    last_updated: '2025-01-01T00:00:00Z',
    servers: { fetch: imageEntry() },
    groups: [
      { name: 'web', description: 'Web tools for agents', servers: { fetch: imageEntry(), crawl: imageEntry({ image: 'ghcr.io/example/crawl:0.1.0' }) } },
      { name: 'odd', description: 'A group with a changed copy', servers: { fetch: imageEntry({ tier: 'Community' }) } },
    ],
  });
  t.same(
    parsed.entries.map((entry) => entry.server.name),
    ['io.github.stacklok/fetch', 'io.github.stacklok/crawl'],
  );
  t.same(parsed.skipped, [
    { name: 'io.github.stacklok/fetch', version: '1.2.3', reason: 'an earlier entry has the same name and version' },
  ]);
});

t.test(
  'every entry of the ToolHive registry converts to valid server.json and back',
  { skip: toolhiveFixture === undefined && 'toolhive/registry.json not available' },
  async (t) => {
    const registry = toolhiveFixture as ToolhiveRegistry;
    const parsed = parseDocument(registry, 'toolhive');
    t.same(parsed.skipped, []);
    const legacyEntries = { ...registry.servers, ...registry.remote_servers };
    t.equal(parsed.entries.length, Object.keys(legacyEntries).length);
    for (const { server } of parsed.entries) {
      t.ok(validateServer(server).ok, `${server.name} is valid`);
      const back = serverToToolhive(server);
      if (!back.ok) {
        t.fail(back.reason);
        continue;
      }
      t.strictSame(back.entry, legacyEntries[back.key], `${back.key} survives the round trip`);
    }
  },
);

t.test('the official seed file (a bare array) loads its 4 entries', { skip: seed === undefined && 'seed.json not available' }, async (t) => {
  const parsed = parseDocument(seed, 'upstream');
  t.equal(parsed.format, 'upstream-array');
  t.same(parsed.skipped, []);
  t.same(
    parsed.entries.map(({ server }) => `${server.name}@${server.version}`),
    [
      'io.github.domdomegg/airtable-mcp-server@1.7.2',
      'io.github.domdomegg/airtable-mcp-server@1.7.3',
      'io.github.domdomegg/time-mcp-nuget@1.0.8',
      'io.github.domdomegg/time-mcp-pypi@1.0.6',
    ],
  );
});

t.test('a Deprecated ToolHive entry is served with the official deprecated status', async (t) => {
  const document: ToolhiveRegistry = {
    version: '1.0.0',
    last_updated: '2026-01-01T00:00:00Z',
    servers: { old: imageEntry({ status: 'Deprecated' }), current: imageEntry({ status: 'Active' }) },
    remote_servers: { gone: remoteEntry({ status: 'Deprecated' }) },
  };
  const parsed = parseDocument(document);
  const status = Object.fromEntries(parsed.entries.map((entry) => [entry.server.name, entry.official?.status]));
  t.same(status, {
    'io.github.stacklok/old': 'deprecated',
    'io.github.stacklok/current': undefined,
    'io.github.stacklok/gone': 'deprecated',
  });
});
