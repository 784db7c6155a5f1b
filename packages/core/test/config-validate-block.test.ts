import t from 'tap';
import type { JSONSchema } from 'json-schema-to-ts';
import { validateBlock } from '../src/config/validate-block.js';

const gitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['repository'],
  properties: {
    repository: { type: 'string', format: 'uri' },
    branch: { type: 'string' },
    tag: { type: 'string' },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: { username: { type: 'string' }, passwordFile: { type: 'string' } },
    },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    paths: { type: 'array', items: { type: 'string' } },
    mode: { const: 'shallow' },
  },
} as const satisfies JSONSchema;

const BASE = 'registries[1].source.git';

t.test('a valid block has no problems', async (t) => {
  t.same(validateBlock(gitSchema, { repository: 'https://example.com/r.git', branch: 'main' }, BASE), []);
});

t.test('every problem is named by its config path below the base path', async (t) => {
  const problems = validateBlock(
    gitSchema,
    {
      repository: 'not a uri',
      brnch: 'main',
      auth: { usrname: 'me', passwordFile: 7 },
      headers: { 'X-Token': 5, 'io.github.token': 6 },
      paths: ['a', 3],
      mode: 'deep',
    },
    BASE,
  );
  t.same(problems, [
    { path: `${BASE}.brnch`, message: 'unknown key "brnch" (did you mean "branch"?)' },
    { path: `${BASE}.repository`, message: 'must match format "uri"' },
    { path: `${BASE}.auth.usrname`, message: 'unknown key "usrname" (did you mean "username"?)' },
    { path: `${BASE}.auth.passwordFile`, message: 'must be string' },
    { path: `${BASE}.headers.X-Token`, message: 'must be string' },
    { path: `${BASE}.headers["io.github.token"]`, message: 'must be string' },
    { path: `${BASE}.paths[1]`, message: 'must be string' },
    { path: `${BASE}.mode`, message: 'must be "shallow"' },
  ]);
});

t.test('missing required keys are named by their own path', async (t) => {
  t.same(validateBlock(gitSchema, {}, BASE), [{ path: `${BASE}.repository`, message: 'is required' }]);
});

t.test('an unknown key far from every known key gets no suggestion', async (t) => {
  t.same(validateBlock(gitSchema, { repository: 'https://x.test/r', zzzzzzzz: 1 }, BASE), [
    { path: `${BASE}.zzzzzzzz`, message: 'unknown key "zzzzzzzz"' },
  ]);
});

t.test('values are never quoted back, so a misplaced secret is not echoed', async (t) => {
  const problems = validateBlock(gitSchema, { repository: 'https://x.test/r', auth: { password: 's3cret' } }, BASE);
  t.same(problems, [
    { path: `${BASE}.auth.password`, message: 'unknown key "password" (did you mean "passwordFile"?)' },
  ]);
});

t.test('a wrong type for the whole block is named by the base path', async (t) => {
  t.same(validateBlock(gitSchema, 'main', BASE), [{ path: BASE, message: 'must be object' }]);
});

t.test('numeric keys of a mapping are keys, not indexes', async (t) => {
  const schema = { type: 'object', additionalProperties: { type: 'integer' } } as const;
  t.same(validateBlock(schema, { '200': 'ok' }, 'storage.codes'), [
    { path: 'storage.codes["200"]', message: 'must be integer' },
  ]);
});

t.test('an empty base path yields top-level paths', async (t) => {
  const schema = { type: 'array', items: { type: 'object', properties: { a: { type: 'number' } } } } as const;
  t.same(validateBlock(schema, [{ a: 1 }, { a: 'x' }], ''), [{ path: '[1].a', message: 'must be number' }]);
});

t.test('boolean schemas and unknown annotations are accepted', async (t) => {
  t.same(validateBlock(true, { anything: 1 }, 'storage'), []);
  t.same(validateBlock(false, {}, 'storage'), [{ path: 'storage', message: 'boolean schema is false' }]);
  const annotated = { type: 'object', 'x-docs': 'https://example.com' } as unknown as JSONSchema;
  t.same(validateBlock(annotated, {}, 'storage'), []);
});

t.test('two schemas with the same $id can both be used', async (t) => {
  const first = { $id: 'https://example.com/plugin.json', type: 'string' } as const;
  const second = { $id: 'https://example.com/plugin.json', type: 'number' } as const;
  t.same(validateBlock(first, 'a', 'x'), []);
  t.same(validateBlock(second, 'a', 'x'), [{ path: 'x', message: 'must be number' }]);
  // Cached: the same schema object again gives the same answer.
  t.same(validateBlock(first, 1, 'x'), [{ path: 'x', message: 'must be string' }]);
});

t.test('the same problem found twice is reported once', async (t) => {
  const schema = { anyOf: [{ type: 'string' }, { type: 'string', minLength: 3 }] } as const;
  t.same(validateBlock(schema, 1, 'x'), [
    { path: 'x', message: 'must be string' },
    { path: 'x', message: 'must match a schema in anyOf' },
  ]);
});

t.test('a closed schema without properties still names the unknown key', async (t) => {
  t.same(validateBlock({ type: 'object', additionalProperties: false }, { extra: 1 }, 'storage'), [
    { path: 'storage.extra', message: 'unknown key "extra"' },
  ]);
});

t.test('a plugin schema words its own messages with errorMessage (ajv-errors)', async (t) => {
  const schema = {
    type: 'object',
    properties: {
      mode: { enum: ['fast', 'safe'], errorMessage: 'must be fast or safe' },
      host: { type: 'string', not: { pattern: '^localhost$' }, errorMessage: { not: 'cannot be localhost' } },
      user: { type: 'string' },
      password: { type: 'string' },
    },
    allOf: [{ anyOf: [{ required: ['user'] }, { required: ['token'] }], errorMessage: 'needs a user or a token' }],
    dependencies: { user: { required: ['password'], errorMessage: { required: 'a user needs a password' } } },
  } as const;
  t.same(validateBlock(schema, { user: 'me', password: 'p', mode: 'fast', host: 'example.com' }, 'source.x'), []);
  t.same(validateBlock(schema, { mode: 'slow', host: 'localhost' }, 'source.x'), [
    { path: 'source.x', message: 'needs a user or a token' },
    { path: 'source.x.mode', message: 'must be fast or safe' },
    { path: 'source.x.host', message: 'cannot be localhost' },
  ]);
  t.same(validateBlock(schema, { user: 'me' }, 'registries[0].source.x'), [
    { path: 'registries[0].source.x', message: 'a user needs a password' },
  ]);
  // A schema without errorMessage keeps ajv's wording.
  t.same(validateBlock({ type: 'object', required: ['user'] } as const, {}, 'source.x'), [
    { path: 'source.x.user', message: 'is required' },
  ]);
});
