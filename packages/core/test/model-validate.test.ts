import t from 'tap';
import type { ServerJSON } from '../src/model/server-json.js';
import { SERVER_SCHEMA_URL, serverSchema } from '../src/model/server-schema.js';
import { validateServer } from '../src/model/validate.js';
import { serverJson } from './helpers/formats-entries.js';
import { readFixture } from './helpers/formats-fixtures.js';

const referenceSchema = readFixture('upstream/server.schema.json') as Record<string, unknown> | undefined;
const seed = readFixture('upstream/seed.json') as unknown[] | undefined;

t.test('the schema is the 2025-12-11 one', async (t) => {
  t.equal(SERVER_SCHEMA_URL, 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json');
  t.equal(serverSchema.$ref, '#/definitions/ServerDetail');
});

t.test(
  'the schema equals the published copy, generator note aside',
  { skip: referenceSchema === undefined && 'reference schema not available' },
  async (t) => {
    const { $comment: _generatorNote, ...published } = referenceSchema ?? {};
    t.same(JSON.parse(JSON.stringify(serverSchema)), published);
  },
);

t.test('a valid document is accepted and returned as it is, typed', async (t) => {
  const input = serverJson({ title: 'Weather', _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { tool: 'x' } } });
  const result = validateServer(input);
  if (!result.ok) return t.fail(result.reason);
  const server: ServerJSON = result.server;
  t.equal(server, input);
  t.equal(server.name, 'io.github.example/weather');
  t.equal(server.version, '1.0.0');
  t.equal(server.title, 'Weather');
  t.ok(server._meta);
});

t.test('the reason of a failure names the field at fault', async (t) => {
  const cases: [string, unknown, string][] = [
    ['too long', serverJson({ description: 'x'.repeat(101) }), '/description must NOT have more than 100 characters'],
    ['missing', { name: 'io.github.example/weather', version: '1.0.0' }, '/description is required'],
    ['bad name', serverJson({ name: 'weather' }), '/name must match pattern "^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$"'],
    [
      'latest package',
      serverJson({ packages: [{ registryType: 'npm', identifier: 'w', version: 'latest', transport: { type: 'stdio' } }] }),
      '/packages/0/version must not be "latest"',
    ],
    [
      'bad transport',
      serverJson({ remotes: [{ type: 'sse', url: 'not a url' }] }),
      '/remotes/0/url must match pattern "^https?://[^\\s]+$"',
    ],
    [
      'remote of an unknown type',
      serverJson({ remotes: [{ type: 'websocket', url: 'wss://x' }] as never }),
      '/remotes/0/type must be equal to one of the allowed values',
    ],
    [
      'named argument without a name',
      serverJson({
        packages: [{ registryType: 'npm', identifier: 'w', transport: { type: 'stdio' }, packageArguments: [{ type: 'named' }] as never }],
      }),
      '/packages/0/packageArguments/0/name is required',
    ],
    [
      'positional argument without a value',
      serverJson({
        packages: [{ registryType: 'npm', identifier: 'w', transport: { type: 'stdio' }, packageArguments: [{ type: 'positional' }] as never }],
      }),
      '/packages/0/packageArguments/0/valueHint is required',
    ],
    ['not an object', 'weather', 'the entry must be object'],
  ];
  for (const [label, value, reason] of cases) {
    const result = validateServer(value);
    t.same(result, { ok: false, reason }, label);
  }
});

t.test('every entry of the official seed file validates', { skip: seed === undefined && 'seed.json not available' }, async (t) => {
  for (const server of seed ?? []) t.same(validateServer(server), { ok: true, server });
});
